#!/usr/bin/env bash
# Whole-process benchmark of `tokenbudget count` against the references, side by side:
#   - Python tiktoken 0.14 (../shared/bench/tiktoken-reference), on the three corpus files and a
#     1 KB prompt;
#   - tiktoken-rs 0.12 (examples/tiktoken_rs_count.rs), on a 1 MB run of one letter and a 1 MB
#     base64 blob (the inputs where a quadratic BPE merge falls off a cliff).
# Every pair is first checked to give the same count, then timed with hyperfine back to back in
# one run (the machine is noisy: compare the ratios, not the absolute times).
#
#   benches/compare.sh [RUNS]        (needs hyperfine: apt-get install hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
shared=${SHARED:-../shared}
ref="$shared/bench/tiktoken-reference"
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

cargo build --release -q
cargo build --release -q --example tiktoken_rs_count
tb=target/release/tokenbudget
trs=target/release/examples/tiktoken_rs_count

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in prose code multilingual; do zcat "$shared/bench/$f.txt.gz" > "$work/$f.txt"; done
head -c 1024 "$work/prose.txt" > "$work/prompt-1k.txt"
python3 -c "import sys; sys.stdout.write('a' * 1000000)" > "$work/letters-1m.txt"
head -c 750000 "$shared/bench/code.txt.gz" | base64 -w0 > "$work/base64-1m.txt"

"$ref" o200k_base "$work/prompt-1k.txt" >/dev/null  # install/warm the reference once

results="$work/results.tsv"
compare() { # NAME OURS THEIRS FILE
  local name=$1 theirs_cmd=$2 file=$3
  local ours theirs
  ours=$("$tb" count --encoding o200k_base "$file")
  theirs=$($theirs_cmd o200k_base "$file" | cut -f1)
  if [ "$ours" != "$theirs" ]; then
    echo "MISMATCH on $name: tokenbudget $ours, reference $theirs" >&2; exit 1
  fi
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/$name.json" \
    "$tb count --encoding o200k_base $file" "$theirs_cmd o200k_base $file" >/dev/null
  python3 - "$work/$name.json" "$name" "$ours" "$(stat -c %s "$file")" >> "$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0]["median"], r[1]["median"]
print(f"{sys.argv[2]}\t{int(sys.argv[4])/1e6:.2f} MB\t{sys.argv[3]}\t{a*1000:.1f} ms\t{b*1000:.1f} ms\t{b/a:.1f}x")
PY
}
for f in prose code multilingual prompt-1k; do compare "$f" "$ref" "$work/$f.txt"; done
for f in letters-1m base64-1m; do compare "$f" "$trs" "$work/$f.txt"; done

echo
printf 'input\tsize\ttokens\ttokenbudget\treference\tspeed-up\n'
cat "$results"
echo
echo "reference: Python tiktoken 0.14 for prose/code/multilingual/prompt-1k, tiktoken-rs 0.12 for letters-1m/base64-1m"
echo "median wall time of $runs runs each, whole process, o200k_base, $(nproc) cores"
