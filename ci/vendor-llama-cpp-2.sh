#!/usr/bin/env bash
# llama-cpp-2 0.1.160 has no way to set llama.cpp's abort callback, which is
# what lets a decode stop within milliseconds of a cancel. So the workspace
# builds a copy of the crate (ggml/vendor/llama-cpp-2, via [patch.crates-io])
# with one addition, `LlamaContext::set_abort_flag`, and without llama-cpp-sys-2's
# default `common` feature (a C++ library nothing here uses), kept in
# ggml/vendor/llama-cpp-2.patch. This script makes that copy from the pristine
# crate; `--check` fails if the committed copy differs from pristine + patch.
set -euo pipefail
cd "$(dirname "$0")/.."
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
(cd "$copy" && patch -s -p1 <../../../ggml/vendor/llama-cpp-2.patch)
if [ "${1:-}" = "--check" ]; then
  if ! diff -ru "$copy" ggml/vendor/llama-cpp-2; then
    echo "ggml/vendor/llama-cpp-2 differs from llama-cpp-2 $version + ggml/vendor/llama-cpp-2.patch; run ci/vendor-llama-cpp-2.sh" >&2
    exit 1
  fi
  echo "ggml/vendor/llama-cpp-2 is llama-cpp-2 $version + ggml/vendor/llama-cpp-2.patch"
else
  rm -rf ggml/vendor/llama-cpp-2 && cp -r "$copy" ggml/vendor/llama-cpp-2
  echo "vendored llama-cpp-2 $version + patch -> ggml/vendor/llama-cpp-2"
fi
