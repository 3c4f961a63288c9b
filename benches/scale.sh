#!/usr/bin/env bash
# `count` at corpus scale, whole process, side by side in one run:
#   - one core (taskset -c 0): tokenbudget against the `tiktoken` crate 4.x
#     (examples/tiktoken_count.rs) and bpe-openai 0.3 (examples/bpe_openai_count.rs) on each
#     corpus file of ../shared/bench repeated to >= 30 MB;
#   - both cores: tokenbudget on the same files (ratio to its one-core time), and the machine's
#     ceiling for that ratio: two independent one-core counts of the file at once, one per core
#     (no sharing, no coordination), as throughput against one such count alone;
#   - a 1 GB file (the prose corpus repeated): peak memory (GNU time) and throughput;
#   - start-up: a 1 KB prompt against Python tiktoken (../shared/bench/tiktoken-reference).
# Every engine is first checked to give the same count. The file rows are timed in interleaved
# rounds: each round runs every command once (in a rotated order), and each command's figure is
# its median over the rounds, so a slow spell of the machine (it is a shared 2-core VM) falls on
# every command alike instead of on whichever one hyperfine happened to be timing. The
# `tiktoken` crate on the multilingual file takes minutes per run (its merge is quadratic on
# long pieces) and is timed once, by the count check (on one core too). Read the ratios, not
# the absolute times.
#
#   benches/scale.sh [ROUNDS]   (default 10; needs hyperfine and GNU time:
#                                apt-get install hyperfine time)
#   SHARED=path/to/shared benches/scale.sh   when ../shared is elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}  # rounds
shared=${SHARED:-../shared}
ref="$shared/bench/tiktoken-reference"
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

cargo build --release -q
cargo build --release -q --example tiktoken_count --example bpe_openai_count
tb=$(pwd)/target/release/tokenbudget
tk=$(pwd)/target/release/examples/tiktoken_count
bo=$(pwd)/target/release/examples/bpe_openai_count

work=$(mktemp -d "${TMPDIR:-/tmp}/tb-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
for f in prose code multilingual; do
  zcat "$shared/bench/$f.txt.gz" > "$work/$f.1"
  : > "$work/$f.txt"
  while [ "$(stat -c %s "$work/$f.txt")" -lt 30000000 ]; do cat "$work/$f.1" >> "$work/$f.txt"; done
  rm "$work/$f.1"
done
head -c 1024 "$work/prose.txt" > "$work/prompt-1k.txt"
"$ref" o200k_base "$work/prompt-1k.txt" >/dev/null  # install/warm the reference once

median() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$@"; }

# interleaved rounds: prints, one line per command in argument order, its median wall time
# and then its time in each round
rounds() {
  python3 - "$runs" "$@" <<'PY'
import shlex, statistics, subprocess, sys, time
rounds, cmds = int(sys.argv[1]), sys.argv[2:]
# "given:SECONDS" stands for a command timed once already, outside the rounds
once = [c.startswith("given:") for c in cmds]
cmds = [c if o else shlex.split(c) for c, o in zip(cmds, once)]
def t(cmd):
    a = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - a
times = [[] for _ in cmds]
for i, c in enumerate(cmds):  # warm-up round (the page cache, the binaries), not counted
    if not once[i]:
        t(c)
for r in range(rounds):
    order = [i for i in range(len(cmds)) if not once[i]]
    k = r % len(order)
    for i in order[k:] + order[:k]:
        times[i].append(t(cmds[i]))
for i, c in enumerate(cmds):
    if once[i]:
        times[i].append(float(c[6:]))
for ts in times:  # medians, then each command's time in every round (for per-round ratios)
    print(statistics.median(ts), *ts)
PY
}

printf 'file\tsize\ttokens\ttokenbudget 1 core\ttiktoken 4.x 1 core\tbpe-openai 1 core\tvs tiktoken\tvs bpe-openai\ttokenbudget 2 cores\t2 cores / 1 core\tmachine ceiling\n' > "$work/table.tsv"
for f in prose code multilingual; do
  file="$work/$f.txt"
  size=$(stat -c %s "$file")
  ours=$("$tb" count --encoding o200k_base "$file")
  t0=$EPOCHREALTIME
  theirs=$(taskset -c 0 "$tk" o200k_base "$file" | cut -f1)
  tkonce=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$EPOCHREALTIME")
  bpe=$("$bo" o200k_base "$file" | cut -f1)
  if [ "$ours" != "$theirs" ] || [ "$ours" != "$bpe" ]; then
    echo "MISMATCH on $f: tokenbudget $ours, tiktoken $theirs, bpe-openai $bpe" >&2; exit 1
  fi
  tkcmd="taskset -c 0 $tk o200k_base $file"
  [ "$f" = multilingual ] && tkcmd="given:$tkonce"  # the check run above, on one core
  mapfile -t med < <(rounds \
    "taskset -c 0 $tb count --encoding o200k_base $file" \
    "$tkcmd" \
    "taskset -c 0 $bo o200k_base $file" \
    "$tb count --encoding o200k_base $file" \
    "sh -c 'taskset -c 0 $tb count --encoding o200k_base $file & taskset -c 1 $tb count --encoding o200k_base $file; wait'")
  python3 - "$f" "$size" "$ours" "${med[@]}" >> "$work/table.tsv" <<'PY'
import statistics, sys
f, size, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [list(map(float, line.split())) for line in sys.argv[4:9]]
(t1, tk, bo, t2, pair), rounds = [r[0] for r in rows], [r[1:] for r in rows]
# a ratio is the median of the ratios within each round (the commands of one round ran back to
# back), so a slow spell of the machine cancels out; a command timed once is compared with
# every round
def per(a, b):
    xs = rounds[a] * len(rounds[b]) if len(rounds[a]) == 1 else rounds[a]
    return statistics.median(x / y for x, y in zip(xs, rounds[b]))
mb = lambda t: f"{size / t / 1e6:.0f} MB/s" if size / t >= 1e6 else f"{size / t / 1e6:.1f} MB/s"
print(f"{f}\t{size/1e6:.1f} MB\t{tokens:,}\t{mb(t1)}\t{mb(tk)}\t{mb(bo)}\t{per(1, 0):.2f}x\t{per(2, 0):.2f}x\t{mb(t2)}\t{per(0, 3):.2f}x\t{2 * per(0, 4):.2f}x")
PY
done

# a 1 GB file: bounded memory, throughput as in memory
big="$work/prose-1g.txt"
: > "$big"
while [ "$(stat -c %s "$big")" -lt 1000000000 ]; do cat "$work/prose.txt" >> "$big"; done
bigsize=$(stat -c %s "$big")
/usr/bin/time -f '%M %e' -o "$work/time-1g" "$tb" count --encoding o200k_base "$big" > "$work/count-1g"
read -r rss_kb secs < "$work/time-1g"
/usr/bin/time -f '%M %e' -o "$work/time-30m" "$tb" count --encoding o200k_base "$work/prose.txt" >/dev/null
read -r rss30_kb secs30 < "$work/time-30m"

# start-up: a 1 KB prompt
hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/prompt.json" \
  "$tb count --encoding o200k_base $work/prompt-1k.txt" "$ref o200k_base $work/prompt-1k.txt" >/dev/null
p1=$(median "$work/prompt.json" 0); p2=$(median "$work/prompt.json" 1)

echo
column -t -s $'\t' "$work/table.tsv"
echo
python3 - "$bigsize" "$rss_kb" "$secs" "$rss30_kb" "$secs30" "$(stat -c %s "$work/prose.txt")" "$(cat "$work/count-1g")" <<'PY'
import sys
size, rss, secs, rss30, secs30, size30, tokens = sys.argv[1:8]
size, size30 = int(size), int(size30)
print(f"1 GB file ({size/1e9:.2f} GB prose, {int(tokens):,} tokens, both cores): peak RSS {int(rss)/1024:.0f} MB, "
      f"{float(secs):.2f} s = {size/float(secs)/1e6:.0f} MB/s "
      f"(the 30 MB file in the same run: {size30/float(secs30)/1e6:.0f} MB/s, peak RSS {int(rss30)/1024:.0f} MB)")
PY
python3 -c "import sys; a,b=map(float,sys.argv[1:]); print(f'1 KB prompt, whole process: tokenbudget {a*1000:.1f} ms, Python tiktoken {b*1000:.0f} ms: {b/a:.0f}x')" "$p1" "$p2"
echo "machine ceiling: two independent 1-core counts at once (one per core) as throughput against one alone"
echo "MB/s: medians of $runs interleaved rounds; ratios: medians of the per-round ratios (the multilingual tiktoken run: once; the 1 KB prompt: hyperfine, $runs runs), o200k_base, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
