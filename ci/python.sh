#!/usr/bin/env bash
# Builds the Python wheel (the native backend as a PyO3 module, llama.cpp's
# libraries and CPU variants, the component and the pure-Python package),
# installs it into a fresh virtual environment as a user would, and runs the
# Python suite there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The component (bindings/rust/build.rs) and the module come from the one
# workspace build: building a single package would build llama.cpp again
# (see ci/build_wheel.py).
cargo build --quiet --release --locked --workspace
cp target/inf-wasi.wasm bindings/python/python/inf_wasi/inf_wasi.wasm
cp bindings/guards.json bindings/python/python/inf_wasi/guards.json

tools=target/python-tools
[ -x "$tools/bin/ruff" ] && "$tools/bin/python" -c "import wasmtime" 2>/dev/null ||
  { python3 -m venv "$tools" && "$tools/bin/pip" install --quiet wasmtime==50.0.1 auditwheel==6.8.2 wheel==0.45.1 ruff==0.14.14; }

# Precompile the component with the wasmtime-py the package pins, so importers
# load native code instead of compiling it (inf_wasi/_component.py falls back
# to compiling when the precompiled code does not fit the machine). An explicit
# target means the code uses no instruction beyond the architecture's baseline:
# it loads on any x86-64 CPU, not only on CPUs like the building one.
"$tools/bin/python" - <<'PY'
import platform
import wasmtime
from wasmtime.component import Component
package = "bindings/python/python/inf_wasi/"
# The settings of inf_wasi/_component.py's config(): epoch interruption on.
config = wasmtime.Config()
config.epoch_interruption = True
config.target = f"{platform.machine()}-unknown-linux-gnu"
component = Component(wasmtime.Engine(config), open(package + "inf_wasi.wasm", "rb").read())
open(package + "inf_wasi.cwasm", "wb").write(component.serialize())
PY
# llama.cpp's libraries and the CPU variants travel in the package folder,
# beside the module (RUNPATH=$ORIGIN), under the names they are loaded by (a
# repair tool would rename them, and a CPU variant loaded later would then
# bring in a second ggml).
rm -f bindings/python/python/inf_wasi/lib*.so*
ci/native-libs.sh target/release/lib_native.so bindings/python/python/inf_wasi
# The CLI (`inf-wasi` on the PATH after `pip install`): it needs the same
# libraries, which it finds beside itself.
cp target/release/inf-wasi bindings/python/python/inf_wasi/inf-wasi
ci/native-libs.sh target/release/inf-wasi bindings/python/python/inf_wasi
rm -rf target/wheels
"$tools/bin/python" ci/build_wheel.py target/release/lib_native.so target/wheels >/dev/null
# The manylinux tag the wheel honestly meets (the newest glibc symbol any of
# its libraries uses), written into it; auditwheel checks it again after.
built=$(ls target/wheels/inf_wasi-*.whl)
tag=$("$tools/bin/auditwheel" show "$built" | tr -s '\n ' ' ' | grep -o 'manylinux_[0-9]*_[0-9]*_x86_64' | head -n 1)
[ -n "$tag" ] || { "$tools/bin/auditwheel" show "$built"; echo "the wheel meets no manylinux policy" >&2; exit 1; }
"$tools/bin/python" -m wheel tags --remove --platform-tag "$tag" "$built" >/dev/null
wheel=$(ls target/wheels/inf_wasi-*.whl)
"$tools/bin/auditwheel" show "$wheel" | tr -s '\n ' ' ' | grep -q "consistent with the following platform tag: \"$tag\"" ||
  { "$tools/bin/auditwheel" show "$wheel"; exit 1; }
echo "wheel: $(basename "$wheel"), $(stat -c %s "$wheel") bytes"

venv=target/python-test-venv
rm -rf "$venv"
python3 -m venv "$venv"
# jsonschema (with rfc3339-validator, which its date-time and time checks need)
# validates structured output in the differential test.
# The wheel with its `pydantic` extra, as a user wanting typed results installs it.
"$venv/bin/pip" install --quiet "$wheel[pydantic]" pydantic==2.14.3 "pytest>=8" "mypy>=1.10" jsonschema==4.26.0 rfc3339-validator==0.1.4
[ "${1:-}" = "--build-only" ] && exit 0
# llama.cpp's own JSON-schema converter and the instruct model, for the differential test.
export INF_WASI_LLAMA_SCHEMA_TOOL=$root/$(ci/llama-schema-to-grammar.sh)
export INF_WASI_CHAT_MODEL=$(python3 ci/fetch_model.py smollm2-135m-instruct-q4_1)
cd bindings/python
INF_WASI_MODEL=$(python3 "$root/ci/fetch_model.py") "$root/$venv/bin/python" -m pytest tests -q -p no:cacheprovider
# Lints and types: ruff over the package, its tests and examples; mypy --strict
# over the package itself and the examples.
"$root/$tools/bin/ruff" check --quiet python tests examples "$root/examples/plugins/python" "$root/tests/plugins"
"$root/$venv/bin/python" -m mypy --strict python/inf_wasi examples
