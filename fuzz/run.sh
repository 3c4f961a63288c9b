#!/usr/bin/env bash
# Run fuzz targets for a bounded time each: fuzz/run.sh SECONDS [TARGET...]
# (all targets when none are named). Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`).
# Seeds from fuzz/seeds/<target>/ are copied into the (gitignored) corpus first, so the corpus
# keeps growing between runs. Runs at low priority on one core; a crash stops with exit 1 and
# leaves the input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(cargo +nightly fuzz list))
fi
for t in "${targets[@]}"; do
    case $t in
        count_text) max_len=65536 ;;
        *) max_len=16384 ;;
    esac
    mkdir -p "corpus/$t"
    if [ -d "seeds/$t" ]; then cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true; fi
    echo "== fuzz $t for ${secs}s"
    nice -n 19 cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -jobs=1 -workers=1 -rss_limit_mb=2048 -max_len="$max_len" \
        -timeout=30 -print_final_stats=1
done
