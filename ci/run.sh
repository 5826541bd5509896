#!/usr/bin/env bash
# The quick start's first command: builds what it needs, fetches the default
# model, and streams an answer through the sandboxed component.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
python3 ci/fetch_model.py >/dev/null
exec cargo run --quiet --release --locked -p inf-wasi --example stream -- "${1:-Why is the sky blue?}"
