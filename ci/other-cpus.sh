#!/usr/bin/env bash
# Every package on CPUs other than this one, under user-mode emulation
# (qemu-user): Nehalem (SSE4.2, no AVX) and Haswell (AVX2, no AVX-512). Each of
# the CLI, the installed wheel, the installed npm tarball and the jar alone
# must load its precompiled component, pick the CPU variant that CPU runs, and
# give the greedy tokens of a build on this machine:
#   - Nehalem: the conformance file's first case with the tests' model (Gemma 3
#     270M), a prefix of the Rust suite's reference output (target/conformance);
#   - Haswell: the default chat model (SmolLM2-135M, half Gemma's work per token)
#     on a one-token prompt, against the CLI run natively here. Emulated AVX and
#     FMA are slow (qemu's helpers: about 6.5 s per prompt token here, against
#     0.1 s for SSE), so the prompt is as short as a prompt can be.
# The first tokens of both prompts have top-two logit gaps of 0.5 or more (1.6
# for SmolLM2 after "Hello", on the haswell and x64 variants alike), which the
# CPU variants' rounding (ggml/tests/cpu_variants.rs) never reaches.
# Run after ci/python.sh, ci/js.sh and ci/java.sh, which build what it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)
command -v qemu-x86_64 >/dev/null || { echo "other-cpus: qemu-x86_64 is missing (ci/setup.sh installs qemu-user)" >&2; exit 1; }

gemma=$(python3 ci/fetch_model.py)
smol=$(python3 ci/fetch_model.py smollm2-135m-instruct-q4_1)
# The conformance file's first case (greedy-capital) and the Rust runner's outcome for it.
nehalem_prompt=$(python3 -c 'import json; print(json.load(open("tests/conformance/cases.json"))["cases"][0]["steps"][0]["complete"])')
haswell_prompt=Hello
reference=$(python3 -c 'import json; print(json.load(open("target/conformance/reference.json"))["greedy-capital"]["steps"][0]["text"])')
jar=$(ls "$root"/bindings/java/target/inf-wasi-*.jar)
work=$root/target/other-cpus
rm -rf "$work" && mkdir -p "$work"
javac -d "$work" -cp "$jar" tests/other-cpus/Greedy.java
cp tests/other-cpus/greedy.mjs target/js/app/

# package cpu model prompt tokens: the completion on stdout, run under emulation of cpu.
complete() {
  local package=$1 qemu=(qemu-x86_64 -cpu "$2") model=$3 prompt=${!4} tokens=$5
  case $package in
    cli) "${qemu[@]}" target/release/inf-wasi run --raw "$prompt" -m "$model" --temperature 0 --max-tokens "$tokens" \
      --threads 1 --verbose ;;
    wheel) "${qemu[@]}" target/python-test-venv/bin/python tests/other-cpus/greedy.py "$model" "$prompt" "$tokens" ;;
    tarball) (cd target/js/app && "${qemu[@]}" "$(command -v node)" greedy.mjs "$model" "$prompt" "$tokens") ;;
    jar) "${qemu[@]}" "$(readlink -f "$(command -v java)")" -cp "$jar:$work" Greedy "$model" "$prompt" "$tokens" ;;
  esac
}

# Two at a time (each emulated process runs one thread): out/err/rc per job.
job() {
  local name=$1; shift
  local t0=$(date +%s)
  set +e
  PYTHONPATH= complete "$@" >"$work/$name.out" 2>"$work/$name.err"
  echo $? >"$work/$name.rc"
  echo "other-cpus: $name done in $(( $(date +%s) - t0 ))s" >&2
}
expected_haswell=$(target/release/inf-wasi run --raw "$haswell_prompt" -m "$smol" --temperature 0 --max-tokens 1 --threads 1)
jobs=()
for package in cli wheel tarball jar; do
  jobs+=("$package-nehalem $package Nehalem $gemma nehalem_prompt 3" "$package-haswell $package Haswell-v4 $smol haswell_prompt 1")
done
for spec in "${jobs[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
  # shellcheck disable=SC2086
  job $spec &
done
wait

failed=0
check() {
  local name=$1 want=$2 how=$3 got
  got=$(cat "$work/$name.out")
  if [ "$(cat "$work/$name.rc")" != 0 ] || [ -z "$got" ] || { [ "$how" = prefix ] && [[ $want != "$got"* ]]; } ||
    { [ "$how" = equal ] && [ "$got" != "$want" ]; }; then
    echo "other-cpus: $name gave ${got@Q} (want ${want@Q}, $how); stderr:" >&2
    tail -n 5 "$work/$name.err" >&2
    failed=1
  fi
}
for package in cli wheel tarball jar; do
  check "$package-nehalem" "$reference" prefix
  check "$package-haswell" "$expected_haswell" equal
done
grep -q "ggml CPU code: sse42" "$work/cli-nehalem.err" || { echo "other-cpus: Nehalem did not get the sse42 variant" >&2; failed=1; }
grep -q "ggml CPU code: haswell" "$work/cli-haswell.err" || { echo "other-cpus: Haswell did not get the haswell variant" >&2; failed=1; }
[ $failed = 0 ] || exit 1
echo "other-cpus: the CLI, wheel, tarball and jar gave the expected tokens on Nehalem and Haswell ($(( $(date +%s) - start ))s)"
