"""The `inf-wasi` command that `pip install inf-wasi` puts on the PATH: the Rust
CLI, built with this package and shipped beside llama.cpp's libraries in the
package folder (where its RUNPATH finds them), started in this process's place."""

from __future__ import annotations

import os
import pathlib
import sys


def main() -> None:
    binary = pathlib.Path(__file__).with_name("inf-wasi")
    if not binary.is_file():
        sys.exit(f"error: this installation of inf-wasi has no command-line program ({binary} is missing); wheels ship it, source builds do not")
    # exec, not a child: signals (Ctrl-C, SIGTERM to `inf-wasi serve`) and the exit code are the program's own.
    os.execv(binary, [str(binary), *sys.argv[1:]])
