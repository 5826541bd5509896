#!/usr/bin/env bash
# Runs every test suite. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
marker=$(mktemp)
# Each step's time, on stderr, so a slow run shows where it went.
step_start=$start
step() {
  local now; now=$(date +%s)
  echo "inf-wasi: $1 took $(( now - step_start ))s" >&2
  step_start=$now
}

ci/setup.sh
ci/vendor-wit.sh --check
ci/vendor-llama-cpp-2.sh --check
python3 ci/fetch_model.py >/dev/null
python3 ci/fetch_model.py smollm2-135m-instruct-q4_1 >/dev/null
# Members only: `--all` would also reformat the vendored fork of llama-cpp-2.
cargo fmt --check
step set-up

# The Rust tests' scratch files (CARGO_TARGET_TMPDIR: packed models of 250 MB
# and more, per test process) are left for a look after a run; the next run
# starts without them, so a warm machine does not fill its disk.
rm -rf target/tmp

# One release build serves tests, the CLI and the benchmark. Model tests hold a
# lock and use one inference thread: on two cores ggml collapses when shared.
# While they run, the fuzz targets build on the other core (their own target
# folder and toolchain, so no lock is shared).
cargo test --release --workspace --locked --no-run
CARGO_BUILD_JOBS=1 ci/fuzz.sh --build >target/fuzz-build.log 2>&1 &
fuzz_build=$!
trap 'kill "$fuzz_build" 2>/dev/null || true' EXIT
cargo test --release --workspace --locked
step "cargo test"

# Lints: clippy over every target of every member, warnings as errors (release,
# so that llama.cpp's build script output above serves it).
cargo clippy --release --workspace --all-targets --locked -- -D warnings
step clippy

# The GGUF check every model passes before llama.cpp, and the component's own
# parsers, fuzzed for a bounded time.
wait "$fuzz_build" || { cat target/fuzz-build.log; echo "inf-wasi: building the fuzz targets failed" >&2; exit 1; }
ci/fuzz.sh
step fuzz

# Python: the wheel, installed into a fresh virtual environment, against the
# same component (and the Rust host's conformance outputs written above).
ci/python.sh
step python

# JavaScript: the npm tarball, installed into a fresh project, the same way.
ci/js.sh
step js

# Java: mvn verify, the suite against the classes and the example against the jar.
ci/java.sh
step java

# The server: `inf-wasi serve` driven by the official `openai` client, a raw
# HTTP client, a bounded load test and its chat page in headless Chromium.
ci/server.sh
step server

# Each package installed by name, as published, into an empty project outside
# the repository (pip, npm, Maven coordinates, a crate from `cargo package`).
ci/install-check.sh
step install-check

# The four packages on CPUs older than this one (no AVX; AVX2 without AVX-512),
# under qemu-user: the CPU code chosen at run time, the same greedy tokens.
ci/other-cpus.sh
step other-cpus

# One llama.cpp build serves every step: each builds the whole workspace, as a
# single package would unify build-dependency features differently and give
# llama-cpp-sys-2 a build of its own (ten minutes more).
builds=$(find target/release/build -mindepth 3 -maxdepth 3 -path '*/llama-cpp-sys-2-*/out/lib' -newer "$marker" | wc -l)
rm -f "$marker"
[ "$builds" -le 1 ] || { echo "inf-wasi: llama.cpp was built $builds times in this run" >&2; exit 1; }

echo "inf-wasi: all suites passed in $(( $(date +%s) - start ))s"
