"""`pip install inf-wasi` puts the `inf-wasi` command on the PATH."""

import os
import pathlib
import subprocess
import sys

from inf_wasi import Engine

# The environment the wheel was installed into: its scripts sit beside its python.
COMMAND = pathlib.Path(sys.executable).with_name("inf-wasi")


def test_the_command_is_installed_and_runs_the_cli() -> None:
    out = subprocess.run([str(COMMAND), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("inf-wasi ")


def test_the_command_streams_the_librarys_greedy_completion(model: str, engine: Engine) -> None:
    prompt = "The capital of France is"
    args = ["run", "--raw", "--model", model, "--threads", "1", "--temperature", "0", "--max-tokens", "6", prompt]
    out = subprocess.run([str(COMMAND), *args], capture_output=True, text=True, timeout=300, env=dict(os.environ, NO_COLOR="1"))
    assert out.returncode == 0, out.stderr
    expected = engine.session("gemma").complete(prompt, max_tokens=6, temperature=0).text
    assert out.stdout == expected + "\n" and expected.strip()


def test_its_errors_keep_the_programs_exit_code() -> None:
    out = subprocess.run([str(COMMAND), "run", "--model", "/nonexistent.gguf", "hi"], capture_output=True, text=True)
    assert out.returncode == 1 and "no model file" in out.stderr
