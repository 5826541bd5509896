#!/usr/bin/env bash
# Builds the Java package with Maven (cargo builds the JNI library into the
# classes), runs the JUnit suite, packs the jar with the native library inside,
# runs the README's example against that jar alone (failsafe), and installs it
# into the local Maven repository under its coordinates (ci/install-check.sh
# depends on it from a project of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
model=$(python3 ci/fetch_model.py)
cd bindings/java
INF_WASI_MODEL=$model mvn -B -ntp install "$@"
jar=$(ls target/inf-wasi-*.jar)
echo "jar: $jar, $(stat -c %s "$jar") bytes"
