#!/usr/bin/env python3
"""Write the committed seed corpus (fuzz/seeds/<target>/) from the test fixtures.

count_text and chat_json seeds start with one control byte (encoding, limits), as their
targets expect. Run from the repository root; it rewrites fuzz/seeds/.
"""
import hashlib, os, pathlib, re, shutil

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "tests/fixtures"
out = root / "fuzz/seeds"
shutil.rmtree(out, ignore_errors=True)

def put(target, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)

MAX = 16384
for p in sorted(fx.rglob("*")):
    if not p.is_file() or p.stat().st_size > MAX:
        continue
    data = p.read_bytes()
    if p.suffix in (".txt", ".md", ".py", ".html", ".json", ".jsonl", ".tsv"):
        for ctl in (0x00, 0x2a, 0x5b, 0xf4):
            put("count_text", bytes([ctl]) + data)
    if p.suffix in (".json", ".jsonl"):
        for ctl in (0x00, 0x49, 0x93, 0xfc):
            put("chat_json", bytes([ctl]) + data)
    if p.suffix in (".json", ".toml") and p.parent.name == "cost":
        put("price_file", data)

# tokenbudget.toml: the README's example and the check tests' configs
readme = (root / "README.md").read_text()
for block in re.findall(r"```toml\n(.*?)```", readme, re.S):
    if "[[budget]]" in block:
        put("check_config", block.encode())
    if "[models." in block:
        put("price_file", block.encode())
tests = (root / "tests/cli_check.rs").read_text()
for block in re.findall(r'r#"(.*?)"#', tests, re.S):
    if "budget" in block or "model" in block:
        put("check_config", block.encode())
for lit in re.findall(r'"tokenbudget.toml",\s*\n\s*"((?:[^"\\]|\\.)*)"', tests, re.S):
    lit = re.sub(r"\\\n\s*", "", lit)
    put("check_config", lit.encode().decode("unicode_escape").encode())
put("check_config", b'model = "claude-sonnet-4-5"\nencoding = "o200k_base"\n\n[[budget]]\n'
    b'name = "x"\npath = "a/**/*.md"\nmax_share = "150%"\nmax_tokens = 0\neach = false\n'
    b'include_ignored = true\nallow_empty = true\nmax_token = 3\n')
