#!/usr/bin/env bash
# Builds llama.cpp's own JSON-schema converter (common/json-schema-to-grammar.cpp,
# from the llama.cpp that llama-cpp-sys-2 vendors) as a small command,
# target/llama-schema-to-grammar: schema on stdin, GBNF on stdout. For the
# differential test only (bindings/python/tests/test_schema_differential.py);
# nothing inf-wasi ships uses it. About 15 s with g++; skipped when built.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/llama-schema-to-grammar
main=tests/differential/llama-schema-to-grammar.cpp
[ -x "$out" ] && [ "$out" -nt "$main" ] && { echo "$out"; exit 0; }
llama=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/llama-cpp-sys-2-0.1.160/llama.cpp | head -n 1)
[ -d "$llama/common" ] || { echo "llama-cpp-sys-2's sources are not in the Cargo registry: build the workspace first" >&2; exit 1; }
mkdir -p target
c=$llama/common
g++ -std=c++17 -O1 -I"$c" -I"$llama/include" -I"$llama/ggml/include" -I"$llama/vendor" "$main" \
  "$c/json-schema-to-grammar.cpp" "$c/json-schema.cpp" "$c/json.cpp" "$c/unicode.cpp" "$c/trie.cpp" -o "$out.partial"
mv "$out.partial" "$out"
echo "$out"
