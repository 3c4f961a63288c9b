#!/usr/bin/env bash
# CI for the Python package (called by .ci/run): build and install the wheel exactly as the
# README says, install the test dependencies, run pytest. Any failure is fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}

echo "== python: Java for PySpark"
if ! java -version >/dev/null 2>&1; then
    echo "java not found: installing openjdk-17-jre-headless from the distribution's packages"
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless
fi
java -version 2>&1 | head -1

echo "== python: build and install the wheel (README: Python)"
rm -rf python/dist
"$py" -m pip install -q maturin
maturin build --release -m python/Cargo.toml -o python/dist
"$py" -m pip install -q --force-reinstall python/dist/tokenbudget-*.whl

echo "== python: test dependencies"
"$py" -m pip install -q pytest openai anthropic pyspark pyarrow pandas tiktoken==0.14.0

echo "== python: pytest"
cargo build --quiet
export TOKENBUDGET_BIN=$PWD/target/debug/tokenbudget
set +e
(cd python && "$py" -m pytest -q -p no:cacheprovider tests)
rc=$?
set -e
if [ "$rc" = 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
