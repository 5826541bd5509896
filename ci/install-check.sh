#!/usr/bin/env bash
# Each package installed the way its users get it, by name from a registry-like
# source, into an empty project outside the repository, and its README example
# run there: the wheel with `pip install --no-index --find-links`, the npm
# tarball with `npm install`, the jar by its Maven coordinates after
# `mvn install` (ci/java.sh), and the Rust crates with `cargo package`, unpacked
# and depended on by name and version. Run after ci/python.sh, ci/js.sh and
# ci/java.sh, which build the packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
model=$(python3 ci/fetch_model.py)
away=$(mktemp -d)
trap 'kill "${rust_pid:-}" 2>/dev/null || true; rm -rf "$away"' EXIT

# What the README examples print: an embedding's size (every language), and the
# typed error for a model that is not registered (all but Rust's).
check_example_output() {
  local out=$1 language=$2
  shift 2
  for expected in "$@"; do
    grep -q -- "$expected" "$out" ||
      { cat "$out"; echo "inf-wasi: the $language example did not print \"$expected\"" >&2; exit 1; }
  done
}

rust_half() {
  # Rust: the publishable crates packed by cargo. The inf-wasi crate carries the
  # component (its build script cannot build the guest from a registry), which
  # the listing must show. A crate of its own depends on them by name and
  # version, its [patch] pointing at the unpacked .crate files.
  crates=(inf-wasi-gguf inf-wasi-profile inf-wasi-llama-cpp-2 inf-wasi-ggml inf-wasi-plugin inf-wasi)
  mkdir -p bindings/rust/prebuilt
  cp target/inf-wasi.wasm bindings/rust/prebuilt/inf_wasi.wasm
  rm -rf target/package
  # The fork of llama-cpp-2 is not a workspace member: packed from a copy (cargo
  # would write a lock file into the vendored folder), and supplied to the
  # others' lock resolution as a patch, as the registry does not have it.
  cp -r vendor/llama-cpp-2 "$away/fork"
  cargo package --quiet --no-verify --manifest-path "$away/fork/Cargo.toml" --target-dir target
  cargo package --quiet --locked --no-verify --allow-dirty -p inf-wasi-gguf -p inf-wasi-profile -p inf-wasi-ggml -p inf-wasi-plugin -p inf-wasi \
    --config 'patch.crates-io.inf-wasi-llama-cpp-2.path="vendor/llama-cpp-2"'
  listing=$(tar -tzf target/package/inf-wasi-0.1.0.crate)
  grep -qx 'inf-wasi-0.1.0/prebuilt/inf_wasi.wasm' <<<"$listing" ||
    { echo "inf-wasi: the packaged crate does not carry the component" >&2; exit 1; }
  mkdir -p "$away/crates" "$away/rust/src" "$away/rust/.cargo"
  patches=""
  for crate in "${crates[@]}"; do
    file=$(ls target/package/"$crate"-[0-9]*.crate)
    echo "crate: $(basename "$file"), $(stat -c %s "$file") bytes"
    tar -xzf "$file" -C "$away/crates"
    patches+="$crate = { path = \"../crates/$(basename "$file" .crate)\" }"$'\n'
  done
  cat >"$away/rust/Cargo.toml" <<TOML
[package]
name = "inf-wasi-app"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
inf-wasi = "=0.1.0"

# Not used by the example: these give the build's own crates (proc macros,
# build scripts) the features the workspace's other members switch on (the
# Node and Python bindings' macros), so that the proc macros and Cranelift
# built for the workspace serve this crate too, not built again for it. The
# runtime side still differs (other members switch on smallvec's, sha2's and
# memchr's default features) and wasmtime's runtime is built again: matching
# those here as dependencies changes them in the build scripts' crates too,
# and bindgen's with them, which would build llama.cpp a second time.
[build-dependencies]
syn = { version = "3", features = ["extra-traits", "fold", "visit"] }
id-arena = "2"
indexmap = "2"
semver = "1"

[patch.crates-io]
$patches
TOML
  # The README's Rust example, as the application.
  python3 - README.md "$away/rust/src/main.rs" <<'PY'
import sys
readme = open(sys.argv[1]).read()
start = readme.index("```rust\n") + len("```rust\n")
open(sys.argv[2], "w").write(readme[start:readme.index("```", start)])
PY
  # The workspace's versions and native link settings, so that the one llama.cpp
  # build (and wasmtime's) in the shared target folder serves this build too.
  cp Cargo.lock "$away/rust/"
  cp .cargo/config.toml "$away/rust/.cargo/"
  # The copied config names the CPU-variant list relative to itself: here, by its place in the repository.
  marker=$away/before-rust
  touch "$marker"
  (cd "$away/rust" && CARGO_TARGET_DIR="$root/target" cargo run --quiet --release \
    --config "env.CMAKE_PROJECT_ggml_INCLUDE.value='$root/ggml/cmake/cpu-variants.cmake'" >"$away/rust.out")
  if [ -n "$(find target/release/deps -name 'libcranelift_codegen-*.rlib' -newer "$marker")" ]; then
    echo "install-check: warning: Cranelift was built again for the crate (its features differ from the workspace's;" \
      "compare \`cargo build --unit-graph\` of both, and match them in the crate's manifest above)" >&2
  fi
  check_example_output "$away/rust.out" Rust "640 dimensions"
  echo "rust: ${crates[*]} packaged; a crate depending on inf-wasi =0.1.0 built and ran the example"
}

# The Rust half builds (cargo, both cores at times) while the others install
# and run their examples (mostly one core): its report comes at the end.
rust_half >"$away/rust.log" 2>&1 &
rust_pid=$!

# Python: a wheelhouse holding the wheel and what it depends on (from PyPI, as
# pip's `download` fetches them), then an install by name with no index at all.
wheelhouse=target/wheelhouse
rm -rf "$wheelhouse"
wheel=$(ls target/wheels/inf_wasi-*.whl)
python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: -d "$wheelhouse" "$wheel"
python3 -m venv "$away/python"
"$away/python/bin/pip" install --quiet --disable-pip-version-check --no-index --find-links "$root/$wheelhouse" inf-wasi
cp bindings/python/examples/quickstart.py "$away/"
(cd "$away" && INF_WASI_MODEL=$model "$away/python/bin/python" quickstart.py >"$away/python.out")
check_example_output "$away/python.out" Python "640 dimensions" model-not-found
# The install put the command on the environment's PATH.
PATH="$away/python/bin:$PATH" inf-wasi --version >/dev/null
echo "python: inf-wasi installed by name from $(ls "$wheelhouse" | wc -l) wheels; the example and the command ran"

# JavaScript: the packed tarball into an empty project.
mkdir -p "$away/js"
cp bindings/js/examples/quickstart.mjs "$away/js/"
(cd "$away/js" && echo '{"name":"app","private":true,"type":"module"}' >package.json &&
  npm install --silent --no-audit --no-fund "$(ls "$root"/target/js/inf-wasi-*.tgz)" &&
  INF_WASI_MODEL=$model node quickstart.mjs >"$away/js.out" && npx --no-install inf-wasi --version >/dev/null)
check_example_output "$away/js.out" JavaScript "640 dimensions" model-not-found
echo "js: the tarball installed into an empty project; the example and \`npx inf-wasi\` ran"

# Java: a Maven project of its own that names the artifact by its coordinates,
# resolved from the local repository `mvn install` put it in.
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' bindings/java/pom.xml)
mkdir -p "$away/java/src/main/java"
cp bindings/java/examples/Quickstart.java "$away/java/src/main/java/"
cat >"$away/java/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>app</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.infwasi</groupId>
      <artifactId>inf-wasi</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
      <plugin>
        <groupId>org.codehaus.mojo</groupId>
        <artifactId>exec-maven-plugin</artifactId>
        <version>3.5.0</version>
        <configuration>
          <executable>java</executable>
          <arguments><argument>-classpath</argument><classpath/><argument>Quickstart</argument></arguments>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
POM
(cd "$away/java" && INF_WASI_MODEL=$model mvn -B -ntp -q -Dstyle.color=never compile exec:exec >"$away/java.out")
check_example_output "$away/java.out" Java "640 dimensions" model-not-found
echo "java: dev.infwasi:inf-wasi:$version resolved by its coordinates; the example ran"

rust_status=0
wait "$rust_pid" || rust_status=$?
cat "$away/rust.log"
exit "$rust_status"
