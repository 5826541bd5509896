#!/usr/bin/env bash
# The benchmark: native llama.cpp against the component with the Rust host, on
# the default model. Settings via BENCH_THREADS, BENCH_PROMPT_REPEATS,
# BENCH_GEN_TOKENS, BENCH_RUNS. Not part of the tests; run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
python3 ci/fetch_model.py >/dev/null
cargo build --quiet --release --locked -p inf-wasi-bench
exec target/release/inf-wasi-bench
