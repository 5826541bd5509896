#!/usr/bin/env bash
# Copies what a package's native library needs at run time into DEST, beside it:
# llama.cpp's shared libraries, every ggml CPU variant (libggml-cpu-*.so, chosen
# at run time by inf-wasi-ggml) and libgomp. Each library is found by the name
# it is loaded by (DT_NEEDED) in target/release, where the inf-wasi-ggml build
# gathers them; they all find each other through RUNPATH=$ORIGIN.
#
# Fails if anything would still come from the building machine other than the
# system libraries every manylinux policy allows: a package must run on a
# machine that has nothing but glibc.
#   usage: ci/native-libs.sh LIBRARY DEST     (LIBRARY: the package's own native library)
set -euo pipefail
cd "$(dirname "$0")/.."
library=$1
dest=$2
built=target/release
# The C library, the maths library, the loader and libgcc_s: on every Linux.
allowed='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|librt\.so\.1|libpthread\.so\.0|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|linux-vdso\.so\.1)$'
# Carried from the compiler: OpenMP's runtime cannot be linked statically into a shared library.
carried_from_compiler='^libgomp\.so\.1$'

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

queue=("$library")
# Exactly the variants built now: none left from a build with another list.
rm -f "$dest"/libggml-cpu-*.so
for variant in "$built"/libggml-cpu-*.so; do
  cp -L "$variant" "$dest/"
  queue+=("$dest/$(basename "$variant")")
done
[ ${#queue[@]} -gt 1 ] || { echo "native-libs: no ggml CPU variants in $built (is the portable feature on?)" >&2; exit 1; }

declare -A seen=()
while [ ${#queue[@]} -gt 0 ]; do
  file=${queue[0]}
  queue=("${queue[@]:1}")
  for name in $(needed "$file"); do
    [ -n "${seen[$name]:-}" ] && continue
    seen[$name]=1
    if [[ $name =~ $allowed ]]; then
      continue
    elif [ -e "$built/$name" ]; then
      cp -L "$built/$name" "$dest/$name"
    elif [[ $name =~ $carried_from_compiler ]]; then
      cp -L "$(${CC:-cc} -print-file-name="$name")" "$dest/$name"
    else
      echo "native-libs: $(basename "$file") needs $name, which is neither built here nor on every Linux" >&2
      exit 1
    fi
    chmod u+w "$dest/$name"
    queue+=("$dest/$name")
  done
done
# Symbols only: the packages are a fraction of the size without them.
command -v strip >/dev/null && strip --strip-unneeded "$dest"/lib*.so*
echo "native-libs: $(ls "$dest" | grep -c '^lib') libraries in $dest, $(du -sk "$dest" | cut -f1) KiB"
