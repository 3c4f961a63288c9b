#!/usr/bin/env bash
# Peak memory and wall time of the commands that read a whole chat request, on a request of
# 1,000,000 messages (benches/gen-request.py: ~48 MB, a Chat Completions body, and the same
# messages as a bare array), side by side for each binary given (default: this checkout's
# release build). GNU time's maximum resident set size; read the ratio to the input size.
#
#   benches/request-memory.sh [BINARY...]      (needs GNU time: apt-get install time)
#   MESSAGES=200000 benches/request-memory.sh  a smaller request
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
n=${MESSAGES:-1000000}
if [ $# -eq 0 ]; then
  cargo build --release -q
  set -- "$(pwd)/target/release/tokenbudget"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/tb-request-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 benches/gen-request.py "$work/r.json" "$n" object
python3 benches/gen-request.py "$work/a.json" "$n" array
size=$(stat -c %s "$work/r.json")
echo "request: $n messages, $size bytes ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\t%s\t%s\t%s\t%s\n' binary command "peak RSS" "× input" "wall" > "$work/table.tsv"
for tb in "$@"; do
  for c in "count r.json" "count a.json" "plan --request r.json" \
           "plan --request r.json --fit --context-window 100000 --out fitted.json" \
           "cost -m gpt-4o r.json"; do
    # exit 1 is a verdict (over the window), not a failure
    (cd "$work" && /usr/bin/time -f '%M %e' -o time "$tb" $c >/dev/null 2>&1) || [ $? -eq 1 ]
    read -r kb secs < <(tail -n 1 "$work/time")
    python3 -c "import sys; kb, size = int(sys.argv[1]), int(sys.argv[2]); print(f'{sys.argv[3]}\t{sys.argv[4]}\t{kb/1024:.0f} MB\t{kb*1024/size:.1f}x\t{sys.argv[5]} s')" \
      "$kb" "$size" "$(basename "$tb")" "$c" "$secs" >> "$work/table.tsv"
  done
done
column -t -s $'\t' "$work/table.tsv"
