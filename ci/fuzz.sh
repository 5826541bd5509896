#!/usr/bin/env bash
# Fuzzes the GGUF check (ggml/gguf, the gate every model file passes before
# llama.cpp) for a bounded time, from a seed corpus made of the real default
# model's header. FUZZ_SECONDS (default 60) bounds the run; any crash, hang or
# memory blow-up fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --quiet --locked cargo-fuzz@0.13.2
corpus=$(pwd)/target/fuzz-corpus/check
python3 ci/fuzz-seeds.py "$(python3 ci/fetch_model.py)" "$corpus"

# libFuzzer needs unstable compiler flags: nightly with AddressSanitizer where it
# is installed, else the stable compiler allowed them, without a sanitizer.
if [ -z "${FUZZ_STABLE:-}" ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  run=(cargo +nightly fuzz run --sanitizer address)
else
  export RUSTC_BOOTSTRAP=1
  run=(cargo fuzz run --sanitizer none)
fi
log=$(pwd)/target/fuzz.log
mkdir -p target
cd ggml/gguf/fuzz
status=0
"${run[@]}" check "$corpus" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 >"$log" 2>&1 || status=$?
grep -E "^(stat::|Done|INFO: seed|SUMMARY|ERROR|==[0-9]+==|thread .* panicked)" "$log" || true
[ "$status" = 0 ] || { tail -40 "$log"; echo "inf-wasi: the GGUF fuzz run failed (log: $log)" >&2; }
exit "$status"
