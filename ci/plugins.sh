#!/usr/bin/env bash
# Builds the example Python plugin (examples/plugins/python) and the tests'
# sandbox probe (tests/plugins/python-sandbox) with componentize-py, installed
# here in its own venv, and prints the folder they are in. The Rust
# plugin (examples/plugins/rust) and the misbehaving probes are built by
# bindings/rust/build.rs into the same folder. Idempotent: a plugin newer than
# its sources and the WIT is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
dir=$target/inf-wasi-plugins
tools=$target/plugin-tools
if [ ! -x "$tools/bin/componentize-py" ]; then
  python3 -m venv "$tools" >&2
  "$tools/bin/pip" install --quiet componentize-py==0.25.1 >&2
fi
# NAME SOURCE_DIR: the plugin of SOURCE_DIR/app.py as $dir/NAME.wasm.
build() {
  local out=$dir/$1.wasm
  if [ ! -f "$out" ] || [ -n "$(find "$2" wit -newer "$out" -type f | head -n 1)" ]; then
    mkdir -p "$dir"
    "$tools/bin/componentize-py" -d wit -w inf:wasi/plugin componentize -p "$2" app -o "$out.part" >/dev/null
    mv "$out.part" "$out"
  fi
}
build python-pipeline examples/plugins/python
# A plugin that tries to reach files, the network and the environment (the tests').
build python-sandbox tests/plugins/python-sandbox
echo "$dir"
