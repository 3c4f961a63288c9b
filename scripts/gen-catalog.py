#!/usr/bin/env python3
"""Generate data/catalog.json from a LiteLLM model price table snapshot.

Usage: scripts/gen-catalog.py [SRC] [OUT] [--date YYYY-MM-DD]

  SRC  LiteLLM's model_prices_and_context_window.json
       (default /work/shared/data/litellm-model-prices.json)
  OUT  default data/catalog.json next to this script's repository root

LiteLLM (https://github.com/BerriAI/litellm) is MIT-licensed, (c) BerriAI.
The output keeps only text models (modes chat, responses, embedding, completion)
of the providers in PROVIDERS, converts every per-token float price to an exact
decimal string in USD per million tokens, folds dated snapshots and
provider-prefixed keys with identical pricing into `aliases` of one entry, and
keeps snapshots whose pricing differs as separate entries.

`prices_date` defaults to the snapshot file's modification date (UTC); override
it with --date when regenerating from a copy whose mtime is not meaningful.
Standard library only.
"""

import datetime
import json
import os
import re
import sys
from decimal import Decimal

PROVIDERS = ["openai", "anthropic", "gemini", "mistral", "deepseek", "xai", "cohere"]
# LiteLLM provider names folded into ours (Cohere's chat models are `cohere_chat`)
PROVIDER_ALIASES = {"cohere_chat": "cohere"}
MODES = {"chat", "responses", "embedding", "completion"}
SOURCE = "LiteLLM model_prices_and_context_window.json, MIT, BerriAI"

# our field -> LiteLLM per-token field (base suffix; tiers and batches derive from it)
RATES = [
    ("input", "input_cost_per_token"),
    ("cached_input", "cache_read_input_token_cost"),
    ("cache_write_5m", "cache_creation_input_token_cost"),
    ("cache_write_1h", "cache_creation_input_token_cost_above_1hr"),
    ("output", "output_cost_per_token"),
    ("batch_input", "input_cost_per_token_batches"),
    ("batch_output", "output_cost_per_token_batches"),
    ("batch_cached_input", "cache_read_input_token_cost_batches"),
    ("batch_cache_write_5m", "cache_creation_input_token_cost_batches"),
]
TIER_RE = re.compile(r"_above_(\d+)k_tokens")
# -YYYY-MM-DD, -YYYYMMDD, -MMDD / -YYMM
DATE_RE = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")


def per_million(x):
    """Exact USD-per-1M decimal string for a per-token float (via its shortest repr)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"not a number: {x!r}")
    d = Decimal(repr(float(x))) * 1000000
    if d < 0:
        raise ValueError(f"negative price: {x!r}")
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    s = s or "0"
    # exact: the string is the float's decimal value ×1e6, and reads back as the same float;
    # ≤ 9 decimals so the Rust side (femto-dollars per token) holds it without rounding
    if float(Decimal(s) / 1000000) != float(x):
        raise ValueError(f"price {x!r} does not round-trip via {s!r}")
    if "." in s and len(s.split(".")[1]) > 9:
        raise ValueError(f"price {x!r} needs more than 9 decimals per million: {s!r}")
    return s


def rates_from(entry, suffix=""):
    """Our rate fields from a LiteLLM entry; suffix selects a tier (e.g. '_above_200k_tokens')."""
    out = {}
    for ours, theirs in RATES:
        if suffix:
            # tiered keys put the tier before _batches: input_cost_per_token_above_200k_tokens_batches
            if theirs.endswith("_batches"):
                key = theirs[: -len("_batches")] + suffix + "_batches"
            else:
                key = theirs + suffix
            # 1h cache write above a tier: cache_creation_input_token_cost_above_1hr_above_100k_tokens
        else:
            key = theirs
        if key in entry and entry[key] is not None:
            out[ours] = per_million(entry[key])
    return out


def convert(key, entry):
    prices = rates_from(entry)
    if "output_cost_per_reasoning_token" in entry:
        prices["reasoning_output"] = per_million(entry["output_cost_per_reasoning_token"])
    thresholds = sorted(
        {int(m.group(1)) for f in entry for m in [TIER_RE.search(f)] if m and "cost" in f}
    )
    tiers = []
    for t in thresholds:
        r = rates_from(entry, f"_above_{t}k_tokens")
        if "input" in r or "output" in r:
            tiers.append({"above_tokens": t * 1000, **r})
    if tiers:
        prices["tiers"] = tiers
    ctx = entry.get("max_input_tokens") or entry.get("max_tokens")
    out = entry.get("max_output_tokens")
    return {
        "provider": PROVIDER_ALIASES.get(entry["litellm_provider"], entry["litellm_provider"]),
        "mode": entry["mode"],
        "context_window": int(ctx) if isinstance(ctx, (int, float)) else None,
        "max_output": int(out) if isinstance(out, (int, float)) else None,
        "prices": prices,
    }


def signature(m):
    return json.dumps([m["provider"], m["mode"], m["prices"]], sort_keys=True)


def merge_history(models, path):
    """Add data/price-history.json: retired models the LiteLLM table no longer lists (each with
    its cited source) and dated earlier prices (`history`: {from, until, prices}, `until`
    exclusive) of models whose price changed."""
    with open(path, encoding="utf-8") as f:
        extra = json.load(f)
    names = {n for m in models for n in [m["id"], *m["aliases"]]}
    for r in extra["models"]:
        if r["id"] in names:
            continue  # LiteLLM lists it again: its current entry wins
        m = {k: r.get(k) for k in ("id", "provider", "mode", "context_window", "max_output")}
        m["prices"] = r["prices"]
        m["aliases"] = [a for a in r["aliases"] if a not in names]
        m["retired"] = True
        models.append(m)
        names.update([m["id"], *m["aliases"]])
    by_id = {m["id"]: m for m in models}
    for h in extra["history"]:
        m = by_id[h["model"]]
        if not (h["from"] < h["until"]):
            raise ValueError(f"history of {h['model']}: from {h['from']} not before until {h['until']}")
        m.setdefault("history", []).append({"from": h["from"], "until": h["until"], "prices": h["prices"]})
    for m in models:
        if "history" in m:
            m["history"].sort(key=lambda e: e["from"])
            for a, b in zip(m["history"], m["history"][1:]):
                if b["from"] < a["until"]:
                    raise ValueError(f"history of {m['id']}: overlapping periods")


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    date = None
    if "--date" in argv:
        date = argv[argv.index("--date") + 1]
        args.remove(date)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = args[0] if args else "/work/shared/data/litellm-model-prices.json"
    dst = args[1] if len(args) > 1 else os.path.join(root, "data", "catalog.json")
    if date is None:
        mtime = os.stat(src).st_mtime
        date = datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).date().isoformat()
    with open(src, encoding="utf-8") as f:
        table = json.load(f)

    # key -> (bare name, undated base, converted entry)
    rows = []
    for key, entry in table.items():
        if not isinstance(entry, dict) or key == "sample_spec":
            continue
        prov = entry.get("litellm_provider")
        prov = PROVIDER_ALIASES.get(prov, prov)
        if prov not in PROVIDERS or entry.get("mode") not in MODES:
            continue
        inp, outp = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
        if inp is None and outp is None:
            continue  # priced per character/second/session only: not a token model for us
        if not inp and not outp:
            continue  # all token prices zero: free tier or billed per clip/second; not costable
        bare = key[len(prov) + 1 :] if key.startswith(prov + "/") else key
        base = DATE_RE.sub("", bare)
        rows.append((key, bare, base, convert(key, entry)))

    # group by undated base name (only when that undated name exists for the provider;
    # sibling snapshots without a base stay apart), then cluster by identical pricing
    bare_names = {(r[3]["provider"], r[1]) for r in rows}
    groups = {}
    for row in rows:
        prov = row[3]["provider"]
        name = row[2] if (prov, row[2]) in bare_names else row[1]
        groups.setdefault((prov, name), []).append(row)

    models = []
    for (prov, base), members in sorted(groups.items()):
        clusters = {}
        for row in members:
            clusters.setdefault(signature(row[3]), []).append(row)

        def rank(rows_):
            # the cluster holding the undated, unprefixed key owns the base name
            keys = [r[0] for r in rows_]
            bares = [r[1] for r in rows_]
            return (base not in keys, base not in bares, min(keys))

        ordered = sorted(clusters.values(), key=rank)
        for i, crow in enumerate(ordered):
            keys = sorted(r[0] for r in crow)
            bares = sorted({r[1] for r in crow})
            if i == 0 and base in bares:
                mid = base
            elif i == 0 and len(bares) == 1:
                mid = bares[0]
            else:
                # a snapshot priced differently from its base: keep its own (dated) name;
                # prefer an unprefixed key so the id never carries a provider prefix twice
                mid = min(bares, key=lambda b: (b not in keys, b))
            # representative entry: the undated one if present (its context data is the base's)
            rep = min(crow, key=lambda r: (r[1] != mid, r[0] != r[1], r[0]))[3]
            aliases = sorted((set(keys) | set(bares)) - {mid})
            models.append({"id": mid, **rep, "aliases": aliases})

    # names must be unique: ids win over aliases, first come first served among aliases
    ids = {}
    for m in models:
        if m["id"] in ids:
            # two providers use the same bare name: qualify the later one
            m["aliases"].append(m["id"])
            m["id"] = f'{m["provider"]}/{m["id"]}'
        ids[m["id"]] = m
    taken = set(ids)
    for m in models:
        kept = []
        for a in m["aliases"]:
            if a not in taken:
                taken.add(a)
                kept.append(a)
        m["aliases"] = kept

    merge_history(models, os.path.join(root, "data", "price-history.json"))

    # drop null context fields to keep the file compact
    for m in models:
        for k in ("context_window", "max_output"):
            if m[k] is None:
                del m[k]
    models.sort(key=lambda m: (PROVIDERS.index(m["provider"]), m["id"]))
    doc = {
        "source": SOURCE,
        "source_url": "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json",
        "license": "MIT (c) BerriAI; see data/README.md",
        "prices_date": date,
        "units": "prices are USD per 1,000,000 tokens, as exact decimal strings",
        "models": models,
    }
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    counts = {}
    for m in models:
        c = counts.setdefault(m["provider"], [0, 0])
        c[0] += 1
        c[1] += len(m["aliases"])
    for p in PROVIDERS:
        n, a = counts.get(p, [0, 0])
        print(f"{p:10} {n:4} models {a:4} aliases", file=sys.stderr)
    print(f"wrote {dst} ({len(models)} models, prices_date {date})", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
