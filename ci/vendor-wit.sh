#!/usr/bin/env bash
# Re-vendors wasi:nn@0.2.0-rc-2024-10-28 into wit/deps/wasi-nn/ from the
# wasmtime-wasi-nn crate the host links, so the component and the host can never
# disagree on the interface. `--check` fails if the vendored copy has drifted.
set -euo pipefail
cd "$(dirname "$0")/.."
src_dir=$(cargo metadata --format-version 1 --locked \
  | python3 -c 'import json,sys; m=json.load(sys.stdin); print(next(p["manifest_path"] for p in m["packages"] if p["name"]=="wasmtime-wasi-nn").rsplit("/",1)[0])')
upstream="$src_dir/wit/wasi-nn.wit"
vendored=wit/deps/wasi-nn/wasi-nn.wit
if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$upstream" "$vendored"; then
    echo "wit/deps/wasi-nn has drifted from $upstream; run ci/vendor-wit.sh" >&2
    exit 1
  fi
  echo "wit/deps/wasi-nn matches wasmtime-wasi-nn ($upstream)"
else
  cp "$upstream" "$vendored"
  echo "vendored $upstream -> $vendored"
fi
