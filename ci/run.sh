#!/usr/bin/env bash
# The quick start's first command: builds what it needs and runs the inf-wasi
# CLI, which fetches the default model on first use and streams the answer
# through the sandboxed component. Extra arguments go to `inf-wasi run`.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
# The whole workspace, as the test command builds it: one package alone would
# unify build-dependency features differently and build llama.cpp a second time.
# --timings: where the build's time went, in target/cargo-timings/.
cargo build --quiet --release --locked --workspace --timings
exec target/release/inf-wasi run "${@:-Why is the sky blue?}"
