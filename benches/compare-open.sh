#!/usr/bin/env bash
# Whole-process benchmark of `tokenbudget count` on the open-weight encodings against Hugging
# Face `tokenizers` (Python), side by side, plus start-up on a 1 KB prompt against o200k_base
# and the size each embedded vocabulary adds to the binary.
#
# The reference counts each file with the family's tokenizer.json (benches/hf-count.py: DeepSeek's
# own; for Qwen and Tekken one built from their rank files as transformers' TikTokenConverter
# does). Every pair is first checked to give the same count, then timed with hyperfine back to
# back (the machine is noisy: compare the ratios).
#
#   benches/compare-open.sh [RUNS]   (needs hyperfine and `pip install tokenizers==0.23.3`)
#   benches/compare-open.sh --counts  only the count check, no timing (MATCH or MISMATCH per pair)
set -euo pipefail
cd "$(dirname "$0")/.."
counts_only=
if [ "${1:-}" = --counts ]; then counts_only=1; shift; fi
runs=${1:-5}
shared=${SHARED:-../shared}
py=${PYTHON:-python3}
[ -n "$counts_only" ] || command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
"$py" -c "import tokenizers" || { echo "needs: pip install tokenizers" >&2; exit 2; }

cargo build --release -q
tb=target/release/tokenbudget
# (re)build the reference tokenizer.json files when missing or older than the script that builds them
[ benches/.hf/qwen3_5.json -nt benches/hf-count.py ] || "$py" benches/hf-count.py --build benches/.hf

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in prose code multilingual; do zcat "$shared/bench/$f.txt.gz" > "$work/$f.txt"; done
head -c 1024 "$work/prose.txt" > "$work/prompt-1k.txt"

results="$work/results.tsv"
for enc in qwen2 qwen3_5 deepseek_v3 mistral_tekken; do
  for f in prose code multilingual prompt-1k; do
    file="$work/$f.txt"
    ours=$("$tb" count --encoding "$enc" "$file")
    theirs=$("$py" benches/hf-count.py "$enc" "$file")
    if [ "$ours" != "$theirs" ]; then
      echo "MISMATCH $enc on $f: tokenbudget $ours, tokenizers $theirs" >&2; exit 1
    fi
    if [ -n "$counts_only" ]; then printf 'MATCH\t%s\t%s\t%s\n' "$enc" "$f" "$ours"; continue; fi
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/r.json" \
      "$tb count --encoding $enc $file" "$py benches/hf-count.py $enc $file" >/dev/null
    "$py" - "$work/r.json" "$enc" "$f" "$ours" >> "$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0]["median"], r[1]["median"]
print(f"{sys.argv[2]}\t{sys.argv[3]}\t{sys.argv[4]}\t{a*1000:.1f} ms\t{b*1000:.0f} ms\t{b/a:.0f}x")
PY
  done
done

[ -z "$counts_only" ] || exit 0

# start-up: a 1 KB prompt on each encoding against o200k_base, in one hyperfine run
cmds=()
for enc in o200k_base qwen2 qwen3_5 deepseek_v3 mistral_tekken; do
  cmds+=("$tb count --encoding $enc $work/prompt-1k.txt")
done
hyperfine -N --warmup 3 --runs $((runs * 10)) --export-json "$work/s.json" "${cmds[@]}" >/dev/null

echo
printf 'encoding\tinput\ttokens\ttokenbudget\ttokenizers (Python)\tspeed-up\n'
cat "$results"
echo
"$py" - "$work/s.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
print("start-up, 1 KB prompt (median):")
for x in r:
    enc = x["command"].split("--encoding ")[1].split()[0]
    print(f"  {enc}\t{x['median']*1000:.2f} ms\t{x['median']/base:.2f}x o200k_base")
PY
echo
echo "embedded tables per vocabulary (bytes in the binary):"
out=$(ls -d target/release/build/tokenbudget-*/out | head -1)
for enc in o200k_base qwen2 qwen3_5 deepseek_v3 mistral_tekken; do
  printf '  %s\t%s MB\n' "$enc" "$(cat "$out/$enc".{blob,offsets,table,pairs,bytes,filter,left} | wc -c | awk '{printf "%.1f", $1/1e6}')"
done
echo "median wall time of $runs runs each, whole process, $(nproc) cores"
