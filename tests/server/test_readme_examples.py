"""The README's server examples (examples/server/), verbatim, run against a running server."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, Server

EXAMPLES = REPO / "examples" / "server"
README = (REPO / "README.md").read_text()
# The examples name the server's default address; the test's server is on a free port.
DEFAULT = "http://127.0.0.1:8080"


def test_the_curl_example(server: Server) -> None:
    script = (EXAMPLES / "curl.sh").read_text()
    assert "```sh\n" + script + "```" in README
    out = subprocess.run(["bash", "-c", script.replace(DEFAULT, server.url)], capture_output=True, text=True, timeout=300, check=True)
    reply = json.loads(out.stdout)
    assert reply["choices"][0]["message"]["content"] and reply["usage"]["completion_tokens"] <= 48


def test_the_openai_example(server: Server) -> None:
    example = (EXAMPLES / "openai_client.py").read_text()
    assert "```python\n" + example + "```" in README
    code = example.replace(DEFAULT, server.url)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.split()) >= 3
