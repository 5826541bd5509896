"""Starts `inf-wasi serve` (the release build) on free loopback ports for the server tests."""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = REPO / "target" / "release" / "inf-wasi"
CHAT_MODEL = "smollm2-135m-instruct-q4_1"


class Server:
    """A running `inf-wasi serve`; `url` is its address, `process` the child."""

    def __init__(self, args: list[str], log: pathlib.Path) -> None:
        self.log = log
        # One inference thread: model tests share two cores with the rest.
        command = [str(BINARY), "serve", "--port", "0", "--threads", "1", *args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log.open("wb"), text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "listening on " not in line:
            self.process.kill()
            raise RuntimeError(f"the server did not start: {line!r}\n{log.read_text()}")
        self.url = line.split("listening on ", 1)[1].strip()
        self.host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def rss_bytes(self) -> int:
        for line in pathlib.Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")


def model_path(name: str) -> str:
    out = subprocess.run([sys.executable, str(REPO / "ci" / "fetch_model.py"), name], check=True, capture_output=True, text=True)
    return out.stdout.strip()


@contextlib.contextmanager
def running(tmp: pathlib.Path, *args: str) -> Iterator[Server]:
    server = Server(list(args), tmp / "server.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chat_model() -> str:
    model_path(CHAT_MODEL)
    return CHAT_MODEL


@pytest.fixture(scope="session")
def server(chat_model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The chat model, four slots, a 1 MB body limit."""
    with running(tmp_path_factory.mktemp("server"), "--model", chat_model, "--parallel", "4", "--max-body-bytes", "1000000") as s:
        yield s


def pytest_configure(config: pytest.Config) -> None:
    if not BINARY.exists():
        raise pytest.UsageError(f"{BINARY} is missing: run `cargo build --release --workspace` first")
    os.environ.setdefault("NO_COLOR", "1")
