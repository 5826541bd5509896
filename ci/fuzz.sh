#!/usr/bin/env bash
# Fuzzes, for a bounded time, the parsers that untrusted input reaches: the GGUF
# check (ggml/gguf, the gate every model file passes before llama.cpp, seeded
# with the real default model's header), the packed-file layout reader (ggml/gguf) and the component's own parsers
# (component/fuzz: the JSON-schema converter, seeded with the conformance
# cases' schemas, every grammar it emitted then parsed by llama.cpp; chat
# template rendering with any template and messages, under the component's
# instruction budget and a memory cap; the stop-string matcher and UTF-8
# reassembly, each against a naive reference; the tool-call capture and parser
# on any model output).
# FUZZ_SECONDS (default 120) is the fuzzing time, shared by the targets, which
# run two at a time (libFuzzer keeps to one core): the run takes half of it.
# Any crash, hang, mismatch or memory blow-up fails it.
# `ci/fuzz.sh --build` only builds the targets (ci/test.sh builds them while
# the model tests, which use one core, run).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${FUZZ_SECONDS:-120}

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --quiet --locked cargo-fuzz@0.13.2

# libFuzzer needs unstable compiler flags: nightly with AddressSanitizer where it
# is installed, else the stable compiler allowed them, without a sanitizer.
# One target folder for both fuzz crates: libFuzzer (C++) and the shared
# dependencies are compiled once, not once per crate.
if [ -z "${FUZZ_STABLE:-}" ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly) sanitizer=address
else
  export RUSTC_BOOTSTRAP=1
  toolchain=() sanitizer=none
fi
# cargo_fuzz SUBCOMMAND ARGS...: cargo fuzz with those settings.
cargo_fuzz() {
  local command=$1
  shift
  cargo "${toolchain[@]}" fuzz "$command" --sanitizer "$sanitizer" --target-dir "$root/target/fuzz" "$@"
}

if [ "${1:-}" = --build ]; then
  (cd ggml/gguf/fuzz && cargo_fuzz build)
  (cd component/fuzz && cargo_fuzz build)
  exit
fi

corpus=$root/target/fuzz-corpus
python3 ci/fuzz-seeds.py "$(python3 ci/fetch_model.py)" "$corpus/check"
python3 tests/fixtures/schema-seeds.py "$corpus/json_schema"
python3 tests/fixtures/template-seeds.py "$corpus/template"

# fuzz CRATE TARGET SHARE MAX_LEN: runs TARGET of the fuzz crate in CRATE for
# SHARE percent of the run's time, on inputs of at most MAX_LEN bytes.
fuzz() {
  local crate=$1 target=$2 share=$3 max_len=$4
  local log=$root/target/fuzz-$target.log status=0
  mkdir -p "$corpus/$target"
  (cd "$crate" && cargo_fuzz run "$target" "$corpus/$target" -- -max_total_time=$((seconds * share / 100)) \
    -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1) || status=$?
  echo "fuzz: $target"
  grep -E "^(stat::number_of_executed_units|stat::new_units_added|Done|SUMMARY|ERROR|==[0-9]+==|thread .* panicked)" \
    "$log" || true
  [ "$status" = 0 ] || { tail -40 "$log"; echo "inf-wasi: the $target fuzz run failed (log: $log)" >&2; exit "$status"; }
}

# Two lanes of half the time each, side by side; each lane's report follows
# the other's, not interleaved.
lanes=$root/target/fuzz-lanes
mkdir -p "$lanes"
(fuzz ggml/gguf/fuzz check 25 65536 && fuzz ggml/gguf/fuzz packed 10 65536 && fuzz component/fuzz template 15 4096) >"$lanes/a" 2>&1 &
lane_a=$!
(fuzz component/fuzz json_schema 20 4096 && fuzz component/fuzz stop 10 4096 &&
  fuzz component/fuzz utf8 10 4096 && fuzz component/fuzz tool_calls 10 4096) >"$lanes/b" 2>&1 &
lane_b=$!
status=0
wait "$lane_a" || status=$?
wait "$lane_b" || status=$?
cat "$lanes/a" "$lanes/b"
[ "$status" = 0 ] || exit "$status"

# Every grammar the converter emitted from the corpus the run grew must parse
# in llama.cpp's own grammar parser (ggml/tests/schema_grammars.rs).
log=$root/target/fuzz-grammars.log
INF_WASI_SCHEMA_CORPUS=$corpus/json_schema cargo test --quiet --release --workspace --locked \
  --test schema_grammars -- --nocapture >"$log" 2>&1 ||
  { cat "$log"; echo "inf-wasi: llama.cpp refused a grammar the converter emitted (log: $log)" >&2; exit 1; }
echo "fuzz: json_schema grammars in llama.cpp"
grep -E "inputs in" "$log"
