#!/usr/bin/env bash
# Called by Maven (generate-resources): builds the JNI library with cargo, in the
# workspace's one target folder, and puts it where the jar packs it:
# native/<os>-<arch>/libinf_wasi_jni.so under the given classes folder.
set -euo pipefail
classes=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build --quiet --release --locked -p inf-wasi-jni
arch=$(uname -m)
dest="$classes/native/linux-$arch"
mkdir -p "$dest"
cp target/release/libinf_wasi_jni.so "$dest/"
# Symbols only: the jar is much smaller without them.
command -v strip >/dev/null && strip --strip-unneeded "$dest/libinf_wasi_jni.so"
