#!/usr/bin/env bash
# The benchmark: native llama.cpp, the component with the Rust host, the Python,
# Node and Java packages, llama.cpp's own llama-bench as the ceiling, and
# llama-cpp-python and node-llama-cpp as peers, on the default model, and the
# native loop built for this CPU only beside the portable one. Settings via
# BENCH_THREADS, BENCH_PROMPT_REPEATS, BENCH_GEN_TOKENS, BENCH_RUNS;
# BENCH_PEERS=0 skips the peers, BENCH_PEERS=node runs node-llama-cpp alone
# (llama-cpp-python builds llama.cpp from source on first use). Then the
# serving table: `inf-wasi serve` against llama.cpp's llama-server over HTTP,
# 1, 4 and 8 concurrent clients, after the same figures without HTTP (the
# backend's batching alone); BENCH_SERVING=0 skips both, BENCH_SERVING=only
# prints nothing else. Not part of the tests; run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
python3 ci/fetch_model.py >/dev/null
cargo build --quiet --release --locked --workspace
# The same bench built for this CPU alone (llama.cpp with GGML_NATIVE, linked
# statically), in a target folder of its own: the row the portable build is
# held to. BENCH_NATIVE_BUILD=0 skips it (a second full build, once).
if [ "${BENCH_NATIVE_BUILD:-1}" != 0 ]; then
  RUSTFLAGS="-C target-cpu=native" cargo build --quiet --release --locked -p inf-wasi-bench \
    --no-default-features --target-dir target/bench-native
  export BENCH_NATIVE_BUILD=$(pwd)/target/bench-native/release/inf-wasi-bench
else
  unset BENCH_NATIVE_BUILD
fi
# llama.cpp's own llama-bench, decode only: the ceiling, and llama-server for
# the serving table (built once, cached).
export BENCH_LLAMA_BENCH=$(ci/llama-bench.sh)
serving=${BENCH_SERVING:-1}
if [ "$serving" != 0 ]; then
  export BENCH_LLAMA_SERVER=$(ci/llama-bench.sh llama-server)
fi
if [ "$serving" = only ]; then
  target/release/inf-wasi-bench batched
  exec target/release/inf-wasi-bench serving
fi
ci/python.sh --build-only
export BENCH_PYTHON=target/python-test-venv/bin/python
ci/js.sh --build-only
cp bench/node_row.mjs target/js/app/
export BENCH_NODE_APP=target/js/app
(cd bindings/java && mvn -B -q -ntp package -DskipTests)
export BENCH_JAVA_JAR=$(ls "$(pwd)"/bindings/java/target/inf-wasi-*.jar)
peers=${BENCH_PEERS:-1}
if [ "$peers" = 1 ]; then
  peer=target/bench-peers
  if [ ! -x "$peer/bin/python" ] || ! "$peer/bin/python" -c "import llama_cpp" 2>/dev/null; then
    echo "inf-wasi: building llama-cpp-python for the peer row (several minutes, once)" >&2
    python3 -m venv "$peer"
    CMAKE_ARGS="-DGGML_NATIVE=ON" "$peer/bin/pip" install --quiet "llama-cpp-python==0.3.*"
  fi
  export BENCH_LLAMA_CPP_PYTHON=$peer/bin/python
fi
if [ "$peers" = 1 ] || [ "$peers" = node ]; then
  # node-llama-cpp with its prebuilt CPU binaries (it cannot build here: its
  # source build downloads llama.cpp).
  node_peer=target/bench-peers/node
  if [ ! -d "$node_peer/node_modules/node-llama-cpp" ]; then
    mkdir -p "$node_peer"
    echo '{"name":"bench-peer","private":true,"type":"module"}' >"$node_peer/package.json"
    (cd "$node_peer" && npm install --silent --no-audit --no-fund -E node-llama-cpp@3.21.1)
  fi
  cp bench/node_row.mjs "$node_peer/"
  export BENCH_NODE_LLAMA_CPP=$node_peer
fi
target/release/inf-wasi-bench
if [ "$serving" != 0 ]; then
  target/release/inf-wasi-bench batched
  target/release/inf-wasi-bench serving
fi
