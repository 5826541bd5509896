#!/usr/bin/env bash
# The quick start's first command: builds what it needs and runs the inf-wasi
# CLI, which fetches the default model on first use and streams the answer
# through the sandboxed component. Extra arguments go to `inf-wasi run`.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
exec cargo run --quiet --release --locked -p inf-wasi-cli -- run "${@:-Why is the sky blue?}"
