"""A plugin that tries to reach what plugins are not given, and reports what
happened: every host's plugin tests run it and check that files, the network
and the environment are out of reach, and that its output is captured."""

import json
import os
import socket
import sys
import time

from wit_world import exports


def attempt(action) -> str:
    """What ``action`` came to: its result, or the exception it raised."""
    try:
        return f"ok: {action()!r}"
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        return f"{type(e).__name__}"


class Handler(exports.Handler):
    def run(self, input: str) -> str:
        print("to stdout:", input)
        print("to stderr:", input, file=sys.stderr)
        report = {
            "read_file": attempt(lambda: open("/etc/passwd").read(10)),
            "list_root": attempt(lambda: os.listdir("/")),
            "environment": dict(os.environ),
            "arguments": sys.argv,
            "connect": attempt(lambda: socket.create_connection(("127.0.0.1", 80), timeout=1)),
            "clock_moves": time.time() > 1.7e9,
            "random_bytes": len(os.urandom(8)),
        }
        return json.dumps(report)
