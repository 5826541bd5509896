#!/usr/bin/env bash
# Brings in what the build needs beyond the language toolchains: the wasm
# target for the component, and the pieces llama.cpp's build needs (cmake, and
# libclang for its Rust bindings), from Debian's packages when running as root.
set -euo pipefail

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  # RUSTUP_AUTO_INSTALL=0 environments never add targets on their own.
  rustup target add wasm32-unknown-unknown
fi

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v c++ >/dev/null 2>&1 || need+=(g++)
if ! compgen -G "/usr/lib/llvm-*/lib/libclang*.so*" >/dev/null && ! compgen -G "/usr/lib/*/libclang*.so*" >/dev/null; then
  need+=(libclang-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "inf-wasi: installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "inf-wasi: please install ${need[*]} (needed to build llama.cpp)" >&2
    exit 1
  fi
fi
