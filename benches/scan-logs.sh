#!/usr/bin/env bash
# Whole-process benchmark of `tokenbudget scan-logs`, side by side with the references:
#   1. a generated 1 GB app-format JSONL (examples/gen_app_logs.rs): tokenbudget vs jq computing
#      the same per-user token sums (checked equal first); throughput in MB/s; peak memory;
#   2. a generated Claude Code transcripts folder (benches/gen-claude-logs.py: today's models and
#      the retired ones of 2025, each in its era): tokenbudget vs ccusage 18.0.11 (npm, offline
#      prices) with the same totals and cost (checked equal first).
# The machine is small and shared: compare the ratios within one run, not absolute times.
#
#   benches/scan-logs.sh [APP_BYTES] [CLAUDE_MB]     (defaults: 1000000000, 200)
#
# Needs hyperfine, jq, python3, node/npm and GNU time (apt-get install hyperfine jq time nodejs npm).
# Generated files go to $BENCH_DIR (default /tmp/tokenbudget-bench) and are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
bytes=${1:-1000000000}
claude_mb=${2:-200}
work=${BENCH_DIR:-/tmp/tokenbudget-bench}
mkdir -p "$work"
for t in hyperfine jq python3 npm; do
  command -v $t >/dev/null || { echo "needs $t" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

cargo build --release -q
cargo build --release -q --example gen_app_logs
tb=$PWD/target/release/tokenbudget

app="$work/app-$bytes.jsonl"
[ -s "$app" ] || target/release/examples/gen_app_logs "$bytes" > "$app"
size=$(stat -c %s "$app")
echo "== app logs: $app ($((size / 1000000)) MB, $(wc -l < "$app") lines)"

# jq 1.6 reads about 3-4 MB/s here: it is timed on a slice of the same file (the first
# $JQ_MB MB, default 100), tokenbudget on the same slice, side by side; then tokenbudget alone
# on the whole file for MB/s and peak memory.
slice="$work/app-slice-${JQ_MB:-100}mb.jsonl"
[ -s "$slice" ] || head -c "${JQ_MB:-100}000000" "$app" | sed '$d' > "$slice"
slice_size=$(stat -c %s "$slice")
# the same per-user sums, both ways (tokens = prompt + completion = total_tokens)
jq_prog='reduce inputs as $r ({}; .[$r.user_id] += $r.total_tokens) | to_entries[] | "\(.key) \(.value)"'
"$tb" scan-logs "$slice" --by user --top 1000000 --json \
  | jq -r '.groups[] | "\(.key.user) \(.tokens.total)"' | sort > "$work/sums-tb.txt"
jq -n -r "$jq_prog" "$slice" | sort > "$work/sums-jq.txt"
if cmp -s "$work/sums-tb.txt" "$work/sums-jq.txt"; then
  echo "per-user sums on the $((slice_size / 1000000)) MB slice: identical ($(wc -l < "$work/sums-tb.txt") users)"
else
  echo "per-user sums DIFFER" >&2; diff "$work/sums-tb.txt" "$work/sums-jq.txt" | head >&2; exit 1
fi
hyperfine --warmup 0 --runs "${RUNS:-2}" --export-json "$work/slice.json" \
  -n tokenbudget "$tb scan-logs $slice --by user --json > /dev/null" \
  -n jq "jq -n -r '$jq_prog' $slice > /dev/null" 2>&1 | grep -v '^ *$' || true
hyperfine --warmup 1 --runs "${RUNS:-3}" --export-json "$work/app.json" \
  -n tokenbudget-1GB "$tb scan-logs $app --by user --json > /dev/null" 2>&1 | grep -v '^ *$' || true
python3 - "$work/slice.json" "$slice_size" "$work/app.json" "$size" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ss = int(sys.argv[2])
tb, jq = r["tokenbudget"]["mean"], r["jq"]["mean"]
print(f"slice: tokenbudget {tb:.2f} s = {ss / tb / 1e6:.0f} MB/s; jq {jq:.2f} s = {ss / jq / 1e6:.1f} MB/s; "
      f"tokenbudget is {jq / tb:.0f}x faster")
whole = json.load(open(sys.argv[3]))["results"][0]["mean"]
print(f"whole file: tokenbudget {whole:.2f} s = {int(sys.argv[4]) / whole / 1e6:.0f} MB/s")
PY
/usr/bin/time -f "peak memory: %M KB (%e s)" "$tb" scan-logs "$app" --by user --json > /dev/null

echo
# "eras": the generator's folder with retired models (a folder left by the older generator,
# today's models only, is not reused)
claude="$work/claude-eras-$claude_mb"
[ -d "$claude/projects" ] || python3 benches/gen-claude-logs.py "$claude" "$claude_mb"
ccu="$work/ccusage"
[ -x "$ccu/node_modules/.bin/ccusage" ] || (mkdir -p "$ccu" && cd "$ccu" && npm install --no-audit --no-fund ccusage@18.0.11 >/dev/null)
ccusage="$ccu/node_modules/.bin/ccusage"
echo "== Claude Code transcripts: $claude ($(du -sm "$claude" | cut -f1) MB), ccusage $("$ccusage" --version)"
CLAUDE_CONFIG_DIR="$claude" "$ccusage" daily --json --offline -z UTC \
  | jq -c '.totals | [.inputTokens, .cacheReadTokens, .cacheCreationTokens, .outputTokens, .totalTokens, .totalCost]' > "$work/cc-ccusage.txt"
"$tb" scan-logs "$claude" --json \
  | jq -c '[.tokens.input, .tokens.cached_input, .tokens.cache_write, .tokens.output, .tokens.total, (.cost | tonumber)]' > "$work/cc-tb.txt"
echo "ccusage:     $(cat "$work/cc-ccusage.txt")  [input, cache read, cache write, output, total, cost]"
echo "tokenbudget: $(cat "$work/cc-tb.txt")"
python3 - "$work/cc-ccusage.txt" "$work/cc-tb.txt" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
same = a[:5] == b[:5] and abs(a[5] - b[5]) < 1e-6
print("totals and cost:", "identical" if same else "DIFFER")
sys.exit(0 if same else 1)
PY
hyperfine --warmup 0 --runs "${RUNS:-2}" --export-json "$work/claude.json" \
  -n tokenbudget "$tb scan-logs $claude --json > /dev/null" \
  -n ccusage "CLAUDE_CONFIG_DIR=$claude $ccusage daily --json --offline -z UTC > /dev/null" 2>&1 | grep -v '^ *$' || true
python3 - "$work/claude.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
tb, cc = r["tokenbudget"]["mean"], r["ccusage"]["mean"]
print(f"tokenbudget: {tb:.2f} s; ccusage: {cc:.2f} s; tokenbudget is {cc / tb:.1f}x faster")
PY
