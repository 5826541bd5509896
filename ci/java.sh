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
chat_model=$(python3 ci/fetch_model.py smollm2-135m-instruct-q4_1)
cd bindings/java
rm -rf target/surefire-reports
INF_WASI_CHAT_MODEL=$chat_model INF_WASI_MODEL=$model mvn -B -ntp install "$@"
# The tests run under -Xcheck:jni (pom.xml). The JVM writes what it finds
# straight to the test JVM's output, which surefire keeps in .dumpstream files.
# A replaced signal handler is reported too ("Handler was modified"): the
# suite runs with the JVM's signal chaining (libjsig), which prevents it.
jni_warnings="WARNING in native method|JNI local refs|FATAL ERROR in native method|Handler was modified"
if grep -E -h -A6 "$jni_warnings" target/surefire-reports/*.dumpstream target/surefire-reports/*-output.txt 2>/dev/null; then
  echo "inf-wasi: the JVM's JNI checks found the problems above" >&2
  exit 1
fi
jar=$(ls target/inf-wasi-*.jar)
echo "jar: $jar, $(stat -c %s "$jar") bytes"
