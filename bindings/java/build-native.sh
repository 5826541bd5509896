#!/usr/bin/env bash
# Called by Maven (generate-resources): builds the JNI library with cargo, in the
# workspace's one target folder, and puts it where the jar packs it:
# native/<os>-<arch>/libinf_wasi_jni.so under the given classes folder, with
# the libraries it loads and their list (libraries.txt).
set -euo pipefail
classes=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build --quiet --release --locked --workspace
arch=$(uname -m)
dest="$classes/native/linux-$arch"
mkdir -p "$dest"
rm -rf "$dest" && mkdir -p "$dest"
cp target/release/libinf_wasi_jni.so "$dest/"
# llama.cpp's libraries and the CPU variants beside it (all stripped), and the
# list NativeLibrary unpacks.
ci/native-libs.sh "$dest/libinf_wasi_jni.so" "$dest"
(cd "$dest" && ls lib*.so* >libraries.txt)
