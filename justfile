# Everyday recipes. Each calls a script in ci/, so nothing here is needed to
# build or test: `ci/test.sh` works without `just`.

# Run every test suite (the README's test command).
test:
    ci/test.sh

# Install the wasm target and the native build prerequisites.
setup:
    ci/setup.sh

# Fetch the tests' model (Gemma 3 270M) and the default chat model into the cache.
fetch-model:
    python3 ci/fetch_model.py
    python3 ci/fetch_model.py smollm2-135m-instruct-q4_1

# Build everything in release mode (one profile for tests, CLI and benchmarks).
build: setup
    cargo build --release --workspace

# Stream an answer from the default model through the component.
run prompt="Why is the sky blue?":
    ci/run.sh "{{prompt}}"

# The inf-wasi CLI, e.g. `just cli chat` (the whole workspace: one llama.cpp build).
cli *args: setup
    cargo build --quiet --release --workspace
    target/release/inf-wasi {{args}}

# Build the npm package, install its tarball into a fresh project and run the JS suite.
js:
    ci/js.sh

# Fuzz the GGUF check for FUZZ_SECONDS (60).
fuzz:
    ci/fuzz.sh

# Build the Java jar (JNI library inside) with Maven and run the Java suite.
java:
    ci/java.sh

# Build the Python wheel, install it into a fresh virtual environment and run the Python suite.
python:
    ci/python.sh

# Each package installed by name into an empty project outside the repository (after `just python js java`).
install-check:
    ci/install-check.sh

# The CLI, wheel, tarball and jar under emulated older CPUs (after `just python js java`).
other-cpus:
    ci/other-cpus.sh

# inf-wasi against native llama.cpp (not part of the tests): run on an idle machine.
bench:
    ci/bench.sh

# Re-vendor wasi:nn from the wasmtime-wasi-nn crate; `check-wit` fails on drift.
vendor-wit:
    ci/vendor-wit.sh

check-wit:
    ci/vendor-wit.sh --check

# Re-make vendor/llama-cpp-2 (the crate plus its abort-callback patch); `check-vendor` fails on drift.
vendor-llama:
    ci/vendor-llama-cpp-2.sh

check-vendor:
    ci/vendor-llama-cpp-2.sh --check

fmt:
    cargo fmt
