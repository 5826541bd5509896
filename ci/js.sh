#!/usr/bin/env bash
# Builds the npm package (the component transpiled by jco, the native backend as
# a napi-rs addon, the JS and its types), packs it with `npm pack`, installs the
# tarball into a fresh folder as a user would, and runs the JS suite there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
package=bindings/js

# The component comes from the Rust workspace build (bindings/rust/build.rs); the
# addon is a plain cdylib, loaded by Node as a .node file.
cargo build --quiet --release --locked --workspace
rm -rf "$package/native" && mkdir -p "$package/native"
cp target/release/libinf_wasi_node.so "$package/native/inf_wasi.node"
# llama.cpp's libraries and the CPU variants beside the addon (stripped, like it).
ci/native-libs.sh "$package/native/inf_wasi.node" "$package/native"

(cd "$package" && npm ci --silent --no-audit --no-fund)
rm -rf "$package/component"
# Sync instantiation: the package passes its wasi:nn imports at run time, in a worker.
# jco is pinned to 1.12.0: its glue costs about 0.2 ms per generated token, where
# 1.17 to 1.35 spend 0.35 to 0.45 ms on their async-task bookkeeping.
"$package/node_modules/.bin/jco" transpile target/inf-wasi.wasm --instantiation sync --name inf-wasi \
  --no-typescript --quiet -o "$package/component"
(cd "$package" && node_modules/.bin/tsc -p tsconfig.json)

mkdir -p target/js
rm -f target/js/inf-wasi-*.tgz
(cd "$package" && npm pack --silent --pack-destination "$root/target/js" >/dev/null)
tarball=$(ls "$root"/target/js/inf-wasi-*.tgz)
echo "npm package: $(basename "$tarball"), $(stat -c %s "$tarball") bytes"

# A fresh project that installs the tarball, with the suite copied in: the tests
# import "inf-wasi" as a user's code does.
app=target/js/app
rm -rf "$app"
mkdir -p "$app"
cp -r "$package/test" "$app/test"
# The capability probe (bindings/rust/probe), transpiled like the component, for
# the test that the package refuses a component importing a filesystem.
"$package/node_modules/.bin/jco" transpile target/inf-wasi-probes/wants-filesystem.wasm --instantiation sync \
  --name wants-filesystem --no-typescript --quiet -o "$app/test/probe"
cp -r "$package/examples" "$app/examples"
(cd "$app" && echo '{"name":"inf-wasi-app","private":true,"type":"module"}' >package.json &&
  npm install --silent --no-audit --no-fund "$tarball")
[ "${1:-}" = "--build-only" ] && exit 0
cd "$app"
# One test file at a time: two cores shared by parallel model tests make ggml crawl.
INF_WASI_REPO="$root" INF_WASI_MODEL=$(python3 "$root/ci/fetch_model.py") node --test --test-concurrency=1 test/*.test.mjs
