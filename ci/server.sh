#!/usr/bin/env bash
# The server's suite: `inf-wasi serve` from the release build, driven by the
# official `openai` Python client, a raw HTTP client and a bounded load test.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --release --locked --workspace
python3 ci/fetch_model.py smollm2-135m-instruct-q4_1 >/dev/null
python3 ci/fetch_model.py >/dev/null

venv=target/server-test-venv
# The client versions the suite was written against, pinned.
want="openai==3.51.0 pytest==9.2.0 playwright==1.65.2 ruff==0.14.14"
if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet $want
  echo "$want" >"$venv/.pins"
fi
"$venv/bin/python" -m pytest tests/server -q -p no:cacheprovider "$@"
"$venv/bin/ruff" check --quiet tests/server examples/server
