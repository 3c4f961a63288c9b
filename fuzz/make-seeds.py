#!/usr/bin/env python3
"""Write the committed seed corpus (fuzz/seeds/<target>/) from the test fixtures.

count_text and chat_json seeds start with one control byte (encoding, limits), as their
targets expect. Run from the repository root; it rewrites fuzz/seeds/.
"""
import base64, hashlib, os, pathlib, re, shutil

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
        for ctl in (0x00, 0x13, 0x49, 0x93, 0xfc):  # 0x13: mistral_tekken (19 % 11)
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
tests = (root / "tests/it/cli_check.rs").read_text()
for block in re.findall(r'r#"(.*?)"#', tests, re.S):
    if "budget" in block or "model" in block:
        put("check_config", block.encode())
for lit in re.findall(r'"tokenbudget.toml",\s*\n\s*"((?:[^"\\]|\\.)*)"', tests, re.S):
    lit = re.sub(r"\\\n\s*", "", lit)
    put("check_config", lit.encode().decode("unicode_escape").encode())
put("check_config", b'model = "claude-sonnet-4-5"\nencoding = "o200k_base"\n\n[[budget]]\n'
    b'name = "x"\npath = "a/**/*.md"\nmax_share = "150%"\nmax_tokens = 0\neach = false\n'
    b'include_ignored = true\nallow_empty = true\nmax_token = 3\n')

# image headers: one of each format, and the data: URLs in the plan fixtures
import struct
png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR" + struct.pack(">II", 1024, 768)
gif = b"GIF89a" + struct.pack("<HH", 300, 200)
jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" \
    b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 480, 640) + b"\x03\x01\x22\x00"
webp = b"RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00" \
    + (1999).to_bytes(3, "little") + (999).to_bytes(3, "little")
for img in (png, gif, jpeg, webp):
    put("image_header", img)
    put("image_header", b"data:image/png;base64," + base64.b64encode(img))
for p in (fx / "plan").glob("*.json"):
    for url in re.findall(rb'"(data:[^"]*)"', p.read_bytes()):
        put("image_header", url)

# usage logs, every format: each fixture whole, and each line alone
for p in sorted((fx / "scan").rglob("*.jsonl")):
    data = p.read_bytes()
    if len(data) <= MAX:
        put("log_line", data)
    for line in data.splitlines():
        put("log_line", line)

# argument values: each kind of value, a zone|bound pair, and NUL-separated command lines
for s in ["2026-03-01", "2026-03-01T12:00", "2026-03-01T12:34:56.789+02:00", "+02:00", "UTC-5",
          "-0530", "é1", "2026-03-0éé", "500/10m", "1M/1h", "off", "60s", "2m", "90%", "0.02",
          "history=30000", "rag=40%", "0.8", "1_000_000", "1e400", "user", "metadata.team",
          "choices.0.message.content", "user=metadata.customer", "input=usage.input",
          "UTC|2026-03-01T12:00", "+05:30|2026-03-01", "auto", "12", "o200k_base", "2.5", "2.5e-06",
          "scan-logs\0app.jsonl\0--tz\0+02:00\0--since\x002026-03-01", "plan\0--cap\0rag=40%",
          "cost\0--input-tokens\x001_000\0--cached-ratio\x000.5"]:
    put("arg_value", s.encode())

# output paths: a mode byte (bit 0: --init's write_new), then a name in the target's fixture
for s in [b"\0out.txt", b"\0in.txt", b"\0hard.txt", b"\0soft.txt", b"\0link.txt", b"\0dangling",
          b"\0fifo", b"\0sub", b"\0sub/new.txt", b"\0other.txt", b"\x01new.txt", b"\x01other.txt",
          b"\0caf\xe9.txt", b"\0./in.txt", b"\0fifo/x"]:
    put("out_path", s)

# untrusted text for the terminal: escape sequences, controls, bidi, workflow commands
for s in ["plain name.txt", "a\x1b]0;title\x07b", "x\n::error::forged", "rtl\u202egnp.txt",
          "\x9b31m\x85\x7f", "  ::warning file=a::x", "###[error]y", "\u2066iso\u2069\u200f",
          "\U000e0041tag", "emoji 👨‍👩‍👧 é \\ %"]:
    put("escape_text", s.encode())
