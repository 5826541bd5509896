"""The shared conformance cases: greedy output equals the Rust host's (which the
Rust suite checked against llama.cpp itself, token for token)."""

import json

import pytest

from conftest import REPO

CASES = json.loads((REPO / "tests" / "conformance" / "cases.json").read_text())
RUST = REPO / "target" / "conformance" / "rust-greedy.json"


def rust_results():
    if not RUST.exists():
        pytest.fail(f"{RUST} is missing: the Rust suite writes it (cargo test --release -p inf-wasi --test conformance)")
    return {r["prompt"]: r for r in json.loads(RUST.read_text())}


@pytest.mark.parametrize("case", CASES["greedy"], ids=lambda c: c["prompt"][:24])
def test_greedy_output_equals_the_rust_host(engine, case):
    want = rust_results()[case["prompt"]]
    with engine.session("gemma") as session:
        got = session.complete(case["prompt"], temperature=0, max_tokens=case["max_tokens"])
    assert got.text == want["text"]
    assert got.usage.completion_tokens == want["completion_tokens"]
    assert got.finish_reason == want["finish_reason"]
