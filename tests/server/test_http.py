"""The wire format with a raw HTTP client: SSE framing, error shapes, limits,
a client that disconnects, and stopping on SIGTERM."""

from __future__ import annotations

import base64
import http.client
import json
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import REPO, Server, model_path, running


def request(server: Server, method: str, path: str, body: object = None, raw: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=300)
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, payload


def assert_openai_error(status: int, payload: bytes, expected: int) -> dict[str, object]:
    assert status == expected, payload
    error = json.loads(payload)["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["message"]
    return dict(error)


def metric(server: Server, name: str) -> float:
    _, _, text = request(server, "GET", "/metrics")
    for line in text.decode().splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no metric {name}")


def test_sse_framing(server: Server, chat_model: str) -> None:
    body = {"model": chat_model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8, "stream": True}
    status, headers, payload = request(server, "POST", "/v1/chat/completions", body)
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = payload.decode().split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert all(e.startswith("data: ") for e in events[:-1])
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and len({c["id"] for c in chunks}) == 1
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")


def test_error_shapes_and_status_codes(server: Server, chat_model: str) -> None:
    assert_openai_error(*request(server, "POST", "/v1/chat/completions", raw=b"{not json")[::2], 400)
    assert_openai_error(*request(server, "POST", "/v1/chat/completions", {"model": chat_model})[::2], 400)
    error = assert_openai_error(*request(server, "POST", "/v1/completions", {"model": "nope", "prompt": "x"})[::2], 404)
    assert error["code"] == "model_not_found" and error["param"] == "model"
    assert_openai_error(*request(server, "GET", "/v1/nothing-here")[::2], 404)
    # The server was started with --max-body-bytes 1000000.
    big = {"model": chat_model, "messages": [{"role": "user", "content": "x" * 2_000_000}]}
    assert_openai_error(*request(server, "POST", "/v1/chat/completions", big)[::2], 413)
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    remote = {"model": chat_model, "messages": [{"role": "user", "content": [image]}]}
    assert "data:" in str(assert_openai_error(*request(server, "POST", "/v1/chat/completions", remote)[::2], 400)["message"])
    status, _, payload = request(server, "POST", "/v1/chat/completions", raw=b'{"model": "' + chat_model.encode() + b'", "messages": [{"role": "user", "content": "\xff"}]}')
    assert_openai_error(status, payload, 400)


def test_health_models_and_metrics(server: Server, chat_model: str) -> None:
    status, _, payload = request(server, "GET", "/health")
    assert status == 200 and json.loads(payload) == {"status": "ok"}
    status, _, payload = request(server, "GET", "/v1/models")
    assert json.loads(payload)["data"][0]["id"] == chat_model
    status, headers, payload = request(server, "GET", "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert "# TYPE inf_wasi_completion_tokens_total counter" in payload.decode()
    assert f'inf_wasi_requests_running{{model="{chat_model}"}} 0' in payload.decode()


@pytest.mark.parametrize("stream", [True, False])
def test_a_client_that_disconnects_cancels_its_generation(server: Server, chat_model: str, stream: bool) -> None:
    before = metric(server, "inf_wasi_requests_cancelled_total")
    body = json.dumps({"model": chat_model, "messages": [{"role": "user", "content": "Tell me a long story."}], "max_tokens": 2000, "stream": stream, "temperature": 0.9, "seed": 3})
    sock = socket.create_connection((server.host, server.port))
    sock.sendall(f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode())
    if stream:
        received = b""
        while received.count(b"data: ") < 4:
            received += sock.recv(65536)
    else:
        # Nothing arrives before the whole answer: wait until it is generating.
        while metric(server, "inf_wasi_requests_running") == 0:
            time.sleep(0.01)
        time.sleep(0.2)
    sock.close()
    gone = time.monotonic()
    while metric(server, "inf_wasi_requests_cancelled_total") == before:
        assert time.monotonic() - gone < 5, "the generation went on after its client left"
        time.sleep(0.01)
    print(f"cancelled {1000 * (time.monotonic() - gone):.0f} ms after the client left (polled)")
    assert metric(server, "inf_wasi_requests_running") == 0


def test_sigterm_finishes_what_runs_and_exits_zero(chat_model: str, tmp_path: pathlib.Path) -> None:
    with running(tmp_path, "--model", chat_model, "--parallel", "1", "--shutdown-grace", "1") as server:
        outcome: dict[str, object] = {}

        def long_request() -> None:
            body = {"model": chat_model, "messages": [{"role": "user", "content": "Count to a thousand."}], "max_tokens": 3000, "stream": True}
            outcome["status"], _, outcome["payload"] = request(server, "POST", "/v1/chat/completions", body)

        client = threading.Thread(target=long_request)
        client.start()
        while metric(server, "inf_wasi_requests_running") == 0:
            time.sleep(0.01)
        stopped = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        client.join(timeout=30)
        # The running stream ended (cancelled after the grace period), framed to its end.
        payload = outcome["payload"]
        assert outcome["status"] == 200 and isinstance(payload, bytes) and payload.endswith(b"data: [DONE]\n\n")
        assert time.monotonic() - stopped < 10
        assert b"stopping" in server.log.read_bytes()


def test_a_vision_model_takes_data_url_images(tmp_path: pathlib.Path) -> None:
    projector = tmp_path / "tiny-mmproj.gguf"
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "tiny-mmproj.py"), str(projector)], check=True)
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "test-images.py"), str(tmp_path)], check=True)
    png = base64.b64encode((tmp_path / "gradient.png").read_bytes()).decode()
    with running(tmp_path, "--model", model_path("gemma-3-270m-q4_k_m"), "--mmproj", str(projector), "--parallel", "1") as server:
        content = [{"type": "text", "text": "Describe:"}, {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}}]
        body = {"model": "gemma-3-270m-q4_k_m", "messages": [{"role": "user", "content": content}], "max_tokens": 4, "temperature": 0}
        status, _, payload = request(server, "POST", "/v1/chat/completions", body)
        assert status == 200, payload
        # The projector's 4 embeddings per image are in the prompt's count.
        assert json.loads(payload)["usage"]["prompt_tokens"] > 4
        broken = {**body, "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,aGVsbG8="}}]}]}
        assert_openai_error(*request(server, "POST", "/v1/chat/completions", broken)[::2], 400)


def test_an_audio_model_takes_openai_input_audio(tmp_path: pathlib.Path) -> None:
    projector = tmp_path / "tiny-audio-mmproj.gguf"
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "tiny-audio-mmproj.py"), str(projector)], check=True)
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "test-audio.py"), str(tmp_path)], check=True)

    def asking(file: str, audio_format: str = "wav") -> dict:
        data = base64.b64encode((tmp_path / file).read_bytes()).decode()
        content = [{"type": "text", "text": "What do you hear?"},
                   {"type": "input_audio", "input_audio": {"data": data, "format": audio_format}}]
        return {"model": "gemma-3-270m-q4_k_m", "messages": [{"role": "user", "content": content}], "max_tokens": 4, "temperature": 0}

    with running(tmp_path, "--model", model_path("gemma-3-270m-q4_k_m"), "--mmproj", str(projector), "--parallel", "1") as server:
        status, _, payload = request(server, "POST", "/v1/chat/completions", asking("tones-1s.wav"))
        assert status == 200, payload
        one_second = json.loads(payload)["usage"]["prompt_tokens"]
        status, _, payload = request(server, "POST", "/v1/chat/completions", asking("tones-31s.wav"))
        assert status == 200, payload
        # The tiny projector's 50 embeddings per 30-second chunk: a second chunk is 50 more.
        assert json.loads(payload)["usage"]["prompt_tokens"] == one_second + 50
        for broken in [asking("bad-absurd-rate.wav"), asking("tones-1s.wav", "ogg")]:
            assert_openai_error(*request(server, "POST", "/v1/chat/completions", broken)[::2], 400)
