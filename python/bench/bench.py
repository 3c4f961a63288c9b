#!/usr/bin/env python3
"""The Python package's benchmark: tokenbudget against Python tiktoken 0.14, side by side in
one run (the machine is shared and noisy, so read the ratios, not the absolute times).

    nice -n 19 python3 python/bench/bench.py [--shared ../shared] [--reps 5] [--no-spark]

Needs: the installed wheel (README: Python), tiktoken==0.14.0, and for the Spark part pyspark,
pyarrow and Java 17; the CLI binary (target/release/tokenbudget, or $TOKENBUDGET_BIN).
tiktoken gets its vocabulary from the tiktoken-rs crate's assets in the cargo registry (as
../shared/bench/tiktoken-reference does), so nothing is downloaded.

The prompts: the three corpus files of ../shared/bench (prose, code, multilingual; relative to
the repository root, or --shared/$SHARED) are each cut into prompts of 4 consecutive lines
(newlines kept), taken from the three files in turn until there are 100,000 (--prompts): 17 MB,
essentially the whole corpus.

1. `count_batch(prompts, threads=T)` against tiktoken's `encode_ordinary_batch(prompts,
   num_threads=T)` (T = the number of cores, --threads): the counts must be equal, prompt by
   prompt (asserted).
2. One `count` of a 1 KB string against tiktoken's `encode`, in process: 1,000 different
   1,024-byte slices of the prose file, each counted once per round (asserted equal).
3. `import tokenbudget` plus the first count (of a 1 KB string) in a fresh interpreter, timed
   inside it, median of --startup-runs runs; `import tiktoken` + `get_encoding` + the first
   `encode` beside it.
4. The Spark counting job (`tokenbudget.spark.count_tokens`, local mode, one executor core)
   over the prompts as a Parquet file, against `tokenbudget count --jsonl` on the same prompts
   (one JSON string per line) pinned to one core: throughput per core, totals asserted equal.

Each timed pair runs A then B back to back, --reps times; the medians are reported.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FILES = ["prose", "code", "multilingual"]


def log(*a: object) -> None:
    print(*a, file=sys.stderr, flush=True)


def corpus(shared: Path) -> dict[str, str]:
    out = {}
    for f in FILES:
        p = shared / "bench" / f"{f}.txt.gz"
        if not p.exists():
            sys.exit(f"bench: {p} not found (give --shared DIR holding bench/*.txt.gz)")
        out[f] = gzip.decompress(p.read_bytes()).decode("utf-8")
    return out


def prompts_of(texts: dict[str, str], n: int, lines: int = 4) -> list[str]:
    per_file = []
    for f in FILES:
        ls = texts[f].split("\n")
        blocks = ["\n".join(ls[i : i + lines]) + "\n" for i in range(0, len(ls), lines)]
        if not texts[f].endswith("\n"):
            blocks[-1] = blocks[-1][:-1]
        per_file.append(blocks)
    out: list[str] = []
    i = 0
    while len(out) < n and any(i < len(b) for b in per_file):
        for b in per_file:
            if i < len(b) and len(out) < n:
                out.append(b[i])
        i += 1
    if len(out) < n:
        sys.exit(f"bench: the corpus gives only {len(out)} prompts of {lines} lines")
    return out


def tiktoken_offline():
    """tiktoken with its cache filled from the tiktoken-rs assets (nothing downloaded)."""
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
        assets = sorted(cargo_home.glob("registry/src/*/tiktoken-rs-0.12.*/assets"))
        if not assets:
            subprocess.run(["cargo", "fetch", "--quiet"], cwd=REPO, check=True)
            assets = sorted(cargo_home.glob("registry/src/*/tiktoken-rs-0.12.*/assets"))
        if not assets:
            sys.exit("bench: tiktoken-rs assets not found in the cargo registry")
        cache = Path(tempfile.mkdtemp(prefix="tiktoken-cache-"))
        for e in ["cl100k_base", "o200k_base"]:
            url = f"https://openaipublic.blob.core.windows.net/encodings/{e}.tiktoken"
            shutil.copy(assets[-1] / f"{e}.tiktoken", cache / hashlib.sha1(url.encode()).hexdigest())
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    if tiktoken.__version__ != "0.14.0":
        log(f"bench: note: tiktoken {tiktoken.__version__}, the figures are for 0.14.0")
    return tiktoken


def timed(f):
    t = time.perf_counter()
    r = f()
    return time.perf_counter() - t, r


def pairs(reps: int, a, b) -> tuple[float, float]:
    ta, tb_ = [], []
    for _ in range(reps):
        ta.append(timed(a)[0])
        tb_.append(timed(b)[0])
    return statistics.median(ta), statistics.median(tb_)


def row(name: str, ours: float, ref: float, unit: str, target: str) -> dict:
    return {"name": name, "tokenbudget": ours, "tiktoken": ref, "unit": unit,
            "ratio": ref / ours, "target": target}


def bench_batch(tb, enc, prompts: list[str], threads: int, reps: int) -> dict:
    ours = tb.count_batch(prompts, encoding="o200k_base", threads=threads)
    ref = [len(x) for x in enc.encode_ordinary_batch(prompts, num_threads=threads)]
    if ours != ref:
        bad = next(i for i, (a, b) in enumerate(zip(ours, ref)) if a != b)
        sys.exit(f"bench: count_batch differs from tiktoken at prompt {bad}: {ours[bad]} vs {ref[bad]}")
    a, b = pairs(
        reps,
        lambda: tb.count_batch(prompts, encoding="o200k_base", threads=threads),
        lambda: enc.encode_ordinary_batch(prompts, num_threads=threads),
    )
    r = row(f"count_batch, {len(prompts):,} prompts, {threads} threads", a, b, "s", ">= 5x")
    r["tokens"] = sum(ours)
    r["bytes"] = sum(len(p.encode()) for p in prompts)
    return r


def one_kb(texts: dict[str, str], n: int = 1000) -> list[str]:
    data = texts["prose"].encode()
    out = []
    for i in range(n):
        s = data[i * 1024 : (i + 1) * 1024].decode("utf-8", "ignore")
        out.append(s)
    return out


def bench_single(tb, enc, strings: list[str], reps: int) -> dict:
    ours = [tb.count(s, model="gpt-4o") for s in strings]
    ref = [len(enc.encode(s)) for s in strings]
    if ours != ref:
        sys.exit("bench: count differs from tiktoken's encode on a 1 KB slice")

    def a():
        for s in strings:
            tb.count(s, model="gpt-4o")

    def b():
        for s in strings:
            enc.encode(s)

    ta, tb_ = pairs(reps, a, b)
    k = 1e6 / len(strings)
    return row("count of one 1 KB string (per call)", ta * k, tb_ * k, "µs", ">= 3x")


STARTUP = {
    "tokenbudget": "import tokenbudget; n = tokenbudget.count(s, model='gpt-4o')",
    "tiktoken": "import tiktoken; n = len(tiktoken.get_encoding('o200k_base').encode(s))",
}


def bench_startup(sample: str, runs: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(sample)
    inner: dict[str, list[float]] = {k: [] for k in STARTUP}
    wall: dict[str, list[float]] = {k: [] for k in STARTUP}
    try:
        for _ in range(runs):
            for k, stmt in STARTUP.items():
                code = (
                    "import sys, time\n"
                    "s = open(sys.argv[1], encoding='utf-8').read()\n"
                    "t = time.perf_counter()\n"
                    f"{stmt}\n"
                    "print(time.perf_counter() - t, n)\n"
                )
                t = time.perf_counter()
                out = subprocess.run([sys.executable, "-c", code, f.name], capture_output=True,
                                     text=True, check=True).stdout.split()
                wall[k].append(time.perf_counter() - t)
                inner[k].append(float(out[0]))
    finally:
        os.unlink(f.name)
    m = {k: statistics.median(v) * 1000 for k, v in inner.items()}
    r = row(f"import + first count, fresh process (median of {runs})", m["tokenbudget"],
            m["tiktoken"], "ms", "< 50 ms")
    r["wall_ms"] = {k: statistics.median(v) * 1000 for k, v in wall.items()}
    return r


def cli_binary() -> Path:
    env = os.environ.get("TOKENBUDGET_BIN")
    if env:
        return Path(env)
    p = REPO / "target" / "release" / "tokenbudget"
    if not p.exists():
        log("bench: building the CLI (cargo build --release)")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    return p


def bench_spark(tb, prompts: list[str], reps: int) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from tokenbudget.spark import count_tokens

    work = Path(tempfile.mkdtemp(prefix="tokenbudget-bench-"))
    try:
        pq.write_table(pa.table({"text": prompts}), work / "prompts.parquet")
        with open(work / "prompts.jsonl", "w", encoding="utf-8") as f:
            for p in prompts:
                f.write(json.dumps(p) + "\n")
        size = sum(len(p.encode()) for p in prompts)
        expected = sum(tb.count_batch(prompts, encoding="o200k_base"))

        cli = [str(cli_binary()), "count", "--jsonl", "--encoding", "o200k_base", "--json",
               str(work / "prompts.jsonl")]
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        if not pin:
            log("bench: taskset not found: the CLI runs on all cores (its figure is not per core)")
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOKENBUDGET_")}

        def run_cli() -> int:
            p = subprocess.run(pin + cli, capture_output=True, text=True, env=env)
            if p.returncode != 0:
                sys.exit(f"bench: the CLI failed: {p.stderr}")
            return json.loads(p.stdout)["total"]["tokens"]

        spark = (
            SparkSession.builder.master("local[1]")
            .appName("tokenbudget-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        try:
            df = spark.read.parquet(str(work / "prompts.parquet"))

            def run_spark() -> int:
                counted = count_tokens(df, "text", encoding="o200k_base")
                return counted.agg(F.sum("tokens")).collect()[0][0]

            # a warm-up job starts the Python worker and imports the package
            count_tokens(df.limit(100), "text", encoding="o200k_base").collect()
            got_cli, got_spark = run_cli(), run_spark()
            if not (got_cli == got_spark == expected):
                sys.exit(f"bench: totals differ: CLI {got_cli}, Spark {got_spark}, "
                         f"count_batch {expected}")
            ts, tc = pairs(reps, run_spark, run_cli)
        finally:
            spark.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mb = size / 1e6
    return {"name": f"Spark count_tokens, local[1], {len(prompts):,} prompts ({mb:.1f} MB)",
            "spark_s": ts, "cli_s": tc, "spark_mb_s": mb / ts, "cli_mb_s": mb / tc,
            "ratio": ts / tc, "tokens": expected, "target": "within 2x of the CLI per core"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path,
                    default=Path(os.environ.get("SHARED", REPO.parent / "shared")))
    ap.add_argument("--prompts", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--startup-runs", type=int, default=15)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()

    import tokenbudget as tb

    tiktoken = tiktoken_offline()
    enc = tiktoken.get_encoding("o200k_base")
    texts = corpus(args.shared)
    prompts = prompts_of(texts, args.prompts)
    log(f"bench: tokenbudget {tb.__version__}, tiktoken {tiktoken.__version__}, "
        f"{len(prompts):,} prompts, {args.threads} threads, load {os.getloadavg()[0]:.1f}")

    results = []
    log("bench: count_batch ...")
    results.append(bench_batch(tb, enc, prompts, args.threads, args.reps))
    log("bench: single count ...")
    results.append(bench_single(tb, enc, one_kb(texts), args.reps))
    log("bench: start-up ...")
    results.append(bench_startup(one_kb(texts, 1)[0], args.startup_runs))
    if not args.no_spark:
        log("bench: Spark ...")
        results.append(bench_spark(tb, prompts, max(1, min(args.reps, 3))))

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for r in results:
        if "spark_s" in r:
            print(f"{r['name']}: Spark {r['spark_s']:.2f} s = {r['spark_mb_s']:.1f} MB/s per core, "
                  f"CLI one core {r['cli_s']:.2f} s = {r['cli_mb_s']:.1f} MB/s: Spark takes "
                  f"{r['ratio']:.2f}x the CLI's time ({r['target']}); {r['tokens']:,} tokens, equal")
            continue
        extra = ""
        if "wall_ms" in r:
            w = r["wall_ms"]
            extra = f" (whole process: {w['tokenbudget']:.0f} vs {w['tiktoken']:.0f} ms)"
        if "tokens" in r:
            extra = f" ({r['bytes'] / 1e6:.1f} MB, {r['tokens']:,} tokens, equal)"
        print(f"{r['name']}: tokenbudget {r['tokenbudget']:.4g} {r['unit']}, tiktoken "
              f"{r['tiktoken']:.4g} {r['unit']}: {r['ratio']:.1f}x ({r['target']}){extra}")


if __name__ == "__main__":
    main()
