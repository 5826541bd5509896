#!/usr/bin/env bash
# Builds the Java package with Maven (cargo builds the JNI library into the
# classes), runs the JUnit suite, packs the jar with the native library inside,
# and runs the README's example against that jar alone (failsafe).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
model=$(python3 ci/fetch_model.py)
cd bindings/java
INF_WASI_MODEL=$model mvn -B -ntp verify "$@"
jar=$(ls target/inf-wasi-*.jar)
echo "jar: $jar, $(stat -c %s "$jar") bytes"
