#!/usr/bin/env bash
# Brings in what the build needs beyond the language toolchains, checking for
# exactly the file or command each build step loads rather than for a package
# name, and installs what is missing (Debian's packages, when running as root):
#   - the wasm32 target for the component (rustup);
#   - cmake, make and a C++ compiler for llama.cpp;
#   - libclang for llama-cpp-sys-2's bindgen, which loads `libclang.so`,
#     `libclang-N.so` or `libclang.so.N` (clang-sys's names; `libclang-cpp.so`
#     is clang's C++ library, which it never loads);
#   - Python's venv and pip, for the wheel's build tools and the model fetch;
#   - qemu-user, whose emulated older CPUs the packages are tested on;
#   - Chromium, the browser the server's chat page is tested in (Playwright drives it).
set -euo pipefail

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  # RUSTUP_AUTO_INSTALL=0 environments never add targets on their own.
  rustup target add wasm32-unknown-unknown
fi

# Every libclang bindgen could load: clang-sys's file names in clang-sys's folders.
have_libclang() {
  local dirs=() dir file name
  [ -n "${LIBCLANG_PATH:-}" ] && dirs+=("$LIBCLANG_PATH")
  command -v llvm-config >/dev/null 2>&1 && dirs+=("$(llvm-config --libdir)")
  dirs+=(/usr/lib/llvm-*/lib /usr/lib/*-linux-gnu /usr/lib /usr/lib64 /usr/local/lib /usr/local/lib64)
  for dir in "${dirs[@]}"; do
    for file in "$dir"/libclang.so "$dir"/libclang-*.so "$dir"/libclang.so.* "$dir"/libclang-*.so.*; do
      name=$(basename "$file")
      [[ -e $file && $name != libclang-cpp* ]] && return 0
    done
  done
  return 1
}

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v make >/dev/null 2>&1 || need+=(make)
command -v c++ >/dev/null 2>&1 || need+=(g++)
have_libclang || need+=(libclang-dev)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
command -v qemu-x86_64 >/dev/null 2>&1 || need+=(qemu-user)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "inf-wasi: installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "inf-wasi: please install ${need[*]} (needed to build inf-wasi)" >&2
    exit 1
  fi
fi
have_libclang || { echo "inf-wasi: libclang is still missing after set-up" >&2; exit 1; }
