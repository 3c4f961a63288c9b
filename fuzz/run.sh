#!/usr/bin/env bash
# Run fuzz targets for a bounded time each: fuzz/run.sh SECONDS [TARGET...]
# (all targets when none are named; extra libFuzzer flags in $TB_FUZZ_ARGS, e.g.
# TB_FUZZ_ARGS=-len_control=0 to try long inputs from the start). Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`).
# Seeds from fuzz/seeds/<target>/ are copied into the (gitignored) corpus first, so the corpus
# keeps growing between runs. Runs at low priority on one core; a crash stops with exit 1 and
# leaves the input in fuzz/artifacts/<target>/. libFuzzer's own log of each run is
# fuzz/logs/<target>/fuzz-0.log (one directory per target, so runs can go side by side).
set -euo pipefail
cd "$(dirname "$0")"
dir=$(pwd)
secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(cargo +nightly fuzz list))
fi
# std's thread-local channel context is a known LeakSanitizer false positive (see lsan.supp)
export LSAN_OPTIONS="suppressions=$dir/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for t in "${targets[@]}"; do
    case $t in
        count_text) max_len=65536 ;;
        *) max_len=16384 ;;
    esac
    mkdir -p "corpus/$t" "logs/$t"
    if [ -d "seeds/$t" ]; then cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true; fi
    echo "== fuzz $t for ${secs}s"
    status=0
    (cd "logs/$t" && nice -n 19 cargo +nightly fuzz run --fuzz-dir "$dir" "$t" "$dir/corpus/$t" -- \
        -max_total_time="$secs" -jobs=1 -workers=1 -rss_limit_mb=2048 -max_len="$max_len" \
        -timeout=30 -print_final_stats=1 ${TB_FUZZ_ARGS:-}) || status=$?
    tail -n 12 "logs/$t/fuzz-0.log" 2>/dev/null || true
    # (a failing input left from an earlier run counts too: replay it, fix, then delete it)
    if [ $status != 0 ] || ls "artifacts/$t"/crash-* "artifacts/$t"/oom-* "artifacts/$t"/timeout-* >/dev/null 2>&1; then
        echo "fuzz $t: failed; see fuzz/logs/$t/fuzz-0.log and fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
