#!/usr/bin/env bash
# llama-cpp-2 0.1.160 has no way to set llama.cpp's abort callback, which is
# what lets a decode stop within milliseconds of a cancel. So the workspace
# builds a copy of the crate (vendor/llama-cpp-2) with two additions,
# `LlamaContext::set_abort_flag` and, for packed models, `LlamaModel::load_from_file_at`
# (llama.cpp's loader from an open file at an offset), and with only the default features inf-wasi
# uses (not llama-cpp-sys-2's `common`, a C++ library nothing here needs), kept
# in vendor/llama-cpp-2.patch.
# The copy is a crate of its own name, inf-wasi-llama-cpp-2 (its library is
# still `llama_cpp_2`), so that the crates built on it can be published: a
# [patch] would not travel with them. This script makes that copy from the pristine
# crate; `--check` fails if the committed copy differs from pristine + patch.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
version=0.1.160
work=target/vendor-llama-cpp-2
rm -rf "$work" && mkdir -p "$work/fetch/src"
# A throwaway project whose only dependency is the pristine crate, to fetch it.
cat >"$work/fetch/Cargo.toml" <<TOML
[package]
name = "fetch-llama-cpp-2"
version = "0.0.0"
edition = "2021"
[dependencies]
llama-cpp-2 = { version = "=$version", default-features = false }
[workspace]
TOML
touch "$work/fetch/src/lib.rs"
pristine=$(cd "$work/fetch" && cargo metadata --format-version 1 \
  | python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["manifest_path"] for p in m["packages"] if p["name"]=="llama-cpp-2").rsplit("/",1)[0])')
copy="$work/llama-cpp-2"
mkdir -p "$copy"
# The sources and manifest only: not the crate's tests or its test model.
cp -r "$pristine/src" "$pristine/Cargo.toml" "$pristine/README.md" "$copy/"
rm -f "$copy/src/gguf/ggml-vocab-bert-bge.gguf"
python3 - "$copy/Cargo.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r'\n\[\[test\]\]\nname = "grammar_without_common"\npath = "tests/grammar_without_common.rs"\n', "\n", text)
open(path, "w").write(text)
PY
(cd "$copy" && patch -s -p1 <"$root/vendor/llama-cpp-2.patch")
if [ "${1:-}" = "--check" ]; then
  if ! diff -ru "$copy" vendor/llama-cpp-2; then
    echo "vendor/llama-cpp-2 differs from llama-cpp-2 $version + vendor/llama-cpp-2.patch; run ci/vendor-llama-cpp-2.sh" >&2
    exit 1
  fi
  echo "vendor/llama-cpp-2 is llama-cpp-2 $version + vendor/llama-cpp-2.patch"
else
  rm -rf vendor/llama-cpp-2 && cp -r "$copy" vendor/llama-cpp-2
  echo "vendored llama-cpp-2 $version + patch -> vendor/llama-cpp-2"
fi
