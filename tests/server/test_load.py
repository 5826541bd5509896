"""A bounded load test on loopback: 8 concurrent clients, a fixed number of
requests, more than the slots and queue hold. Every request completes or is
refused with 503 and Retry-After (and a refused one, sent again after that
time, completes), none hangs, and memory returns to its idle level."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import pathlib
import time

from conftest import Server, running

CLIENTS = 8
REQUESTS_EACH = 3


def one_request(server: Server, model: str, index: int) -> tuple[int, str | None]:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": f"Write a sentence about the number {index}."}],
        "max_tokens": 16,
        "stream": index % 2 == 0,
    }
    connection = http.client.HTTPConnection(server.host, server.port, timeout=120)
    connection.request("POST", "/v1/chat/completions", body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    if response.status == 200 and not body["stream"]:
        assert json.loads(payload)["choices"][0]["message"]["content"] is not None
    if response.status == 200 and body["stream"]:
        assert payload.endswith(b"data: [DONE]\n\n")
    return response.status, response.getheader("Retry-After")


def patient_request(server: Server, model: str, index: int) -> list[int]:
    """Sends a request until it is served, as a client honouring Retry-After does; every status seen."""
    statuses = []
    for _ in range(60):
        status, retry_after = one_request(server, model, index)
        statuses.append(status)
        if status != 503:
            return statuses
        assert retry_after == "1"
        time.sleep(float(retry_after))
    raise AssertionError(f"request {index} was refused 60 times")


def burst(server: Server, model: str, count: int) -> list[list[int]]:
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(lambda i: patient_request(server, model, i), range(count)))


def test_every_request_completes_or_is_refused_and_memory_settles(chat_model: str, tmp_path: pathlib.Path) -> None:
    with running(tmp_path, "--model", chat_model, "--parallel", "4", "--queue", "2") as server:
        # Every slot used once, so their sessions exist: the idle level.
        warm = burst(server, chat_model, 4)
        assert all(statuses == [200] for statuses in warm), warm
        time.sleep(0.5)
        idle = server.rss_bytes()
        started = time.monotonic()
        results = burst(server, chat_model, CLIENTS * REQUESTS_EACH)
        elapsed = time.monotonic() - started
        statuses = [status for attempts in results for status in attempts]
        assert set(statuses) <= {200, 503}, statuses
        # Every request was served in the end, and the queue's bound was reached.
        assert all(attempts[-1] == 200 for attempts in results) and 503 in statuses, results
        time.sleep(0.5)
        after = server.rss_bytes()
        print(f"{len(results)} served after {statuses.count(503)} refusals in {elapsed:.1f} s; RSS idle {idle >> 20} MiB, after {after >> 20} MiB")
        assert after <= idle * 1.1 + (16 << 20), (idle, after)
