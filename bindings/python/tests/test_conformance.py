"""The shared conformance cases (tests/conformance/cases.json) through the
Python package: every outcome equals the Rust runner's (the reference, checked
there against llama.cpp itself) and holds what the case expects. This runner
only converts; the format is in tests/conformance/README.md."""

import json
import math
import os
import pathlib
import subprocess
import sys
from typing import Any, Dict, Iterator, List

import pytest

import jsonschema

from inf_wasi import Audio, Engine, Image, InfWasiError, Message, Session, ToolCall
from conftest import REPO, model_path

CASES = json.loads((REPO / "tests" / "conformance" / "cases.json").read_text())["cases"]
REFERENCE = REPO / "target" / "conformance" / "reference.json"


@pytest.fixture(scope="module")
def reference() -> Dict[str, Any]:
    if not REFERENCE.exists():
        # The Rust runner writes it; run it here rather than depend on suite order.
        subprocess.run(["cargo", "test", "--release", "--workspace", "--locked", "--test", "conformance"],
                       cwd=REPO, check=True)
    return json.loads(REFERENCE.read_text())


@pytest.fixture(scope="module")
def fixtures() -> Dict[str, Any]:
    out = subprocess.run([sys.executable, str(REPO / "tests" / "conformance" / "fixtures.py")], check=True,
                         capture_output=True, text=True, env={**os.environ, "INF_WASI_MODEL": model_path()})
    return json.loads(pathlib.Path(out.stdout.strip()).read_text())


@pytest.fixture(scope="module")
def engines(fixtures: Dict[str, Any]) -> Iterator[Dict[str, Engine]]:
    opened: Dict[str, Engine] = {}

    def engine(name: str) -> Engine:
        if name not in opened:
            spec = fixtures["engines"][name]
            ms = spec.get("guest_time_limit_ms")
            opened[name] = Engine(
                {n: {"path": m["path"], "projector": m["projector"]} for n, m in spec["models"].items()},
                threads=spec["threads"], context_size=spec["context_size"],
                guest_memory_limit=spec.get("guest_memory_limit"), guest_time_limit=ms / 1000 if ms else None,
                max_audio_seconds=spec.get("max_audio_seconds"))
        return opened[name]

    yield engine  # type: ignore[misc]
    for e in opened.values():
        e.close()


def text(v: Any) -> str:
    """A string in the file: literal, or ``{"repeat": s, "times": n}``."""
    return v if isinstance(v, str) else v["repeat"] * v["times"]


def options(o: Dict[str, Any]) -> Dict[str, Any]:
    o = dict(o)
    if "stop" in o:
        o["stop"] = [text(s) for s in o["stop"]]
    return o


def messages(ms: List[Dict[str, Any]], media: pathlib.Path) -> List[Dict[str, Any]]:
    def part(p: Dict[str, Any]) -> Any:
        if "audio" in p:
            return Audio(media / p["audio"])
        return (media / p["image"]).read_bytes() if "image" in p else text(p["text"])

    def content(c: Any) -> Any:
        return [part(p) for p in c] if isinstance(c, list) else text(c)

    return [{"role": m["role"], "content": content(m["content"]), "tool_calls": m.get("tool_calls"),
             "tool_call_id": m.get("tool_call_id")} for m in ms]


def calls(cs: Any) -> List[Dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in cs]


def completion(c: Any) -> Dict[str, Any]:
    u = c.usage
    return {"text": c.text, "finish_reason": c.finish_reason, "usage": {
        "prompt_tokens": u.prompt_tokens, "cached_tokens": u.cached_tokens, "completion_tokens": u.completion_tokens},
        "tool_calls": calls(c.tool_calls)}


def streamed(start: Any) -> Dict[str, Any]:
    stream = start()
    pieces = list(stream)
    return {**completion(stream.completion), "pieces": pieces}


def evented(start: Any) -> Dict[str, Any]:
    """A chat stream read as events: text pieces, and calls that must be the completion's."""
    stream = start()
    events = list(stream)
    assert [e for e in events if isinstance(e, ToolCall)] == list(stream.completion.tool_calls)
    return {**completion(stream.completion), "pieces": [e for e in events if isinstance(e, str)]}


def count(m: Message, kind: type) -> int:
    """How many parts of ``kind`` a message of the history holds."""
    return 0 if isinstance(m.content, str) else sum(isinstance(p, kind) for p in m.content)


def step(session: Session, s: Dict[str, Any], media: pathlib.Path) -> Dict[str, Any]:
    try:
        o = options(s.get("options", {}))
        if "complete" in s:
            return completion(session.complete(text(s["complete"]), **o))
        if "stream" in s:
            return streamed(lambda: session.stream(text(s["stream"]), **o))
        if "chat" in s:
            return completion(session.chat(messages(s["chat"], media), **o))
        if "chat_stream" in s:
            return evented(lambda: session.chat_events(messages(s["chat_stream"], media), **o))
        if "history" in s:
            return {"history": [{"role": m.role, "text": m.text(),
                                 "images": count(m, Image), "audio": count(m, Audio),
                                 "tool_calls": calls(m.tool_calls), "tool_call_id": m.tool_call_id}
                                for m in session.history]}
        if "reset" in s:
            session.reset()
            return {}
    except InfWasiError as e:
        return {"error": e.code}
    raise ValueError(f"unknown step {s}")


def run(engine: Engine, case: Dict[str, Any], media: pathlib.Path) -> Dict[str, Any]:
    model = case.get("model", "gemma")
    try:
        op = case["op"]
        if op == "session":
            s = case.get("session", {})
            session = engine.session(model, context_size=s.get("context_size"), system_prompt=s.get("system_prompt"))
            with session:
                return {"steps": [step(session, x, media) for x in case["steps"]]}
        if op == "embed":
            return {"vectors": engine.embed(model, [text(t) for t in case["texts"]])}
        if op == "tokenize":
            return {"tokens": engine.tokenize(model, text(case["text"]), add_special=case["add_special"])}
        if op == "tokenize_chat":
            return {"tokens": engine.tokenize_chat(model, messages(case["messages"], media))}
        if op == "detokenize":
            return {"text": engine.detokenize(model, case["tokens"])}
        if op == "model_info":
            return dict(engine.model_info(model).__dict__)
    except InfWasiError as e:
        return {"error": e.code}
    raise ValueError(f"unknown op {op}")


def contains(outcome: Any, expect: Any) -> bool:
    """``outcome`` holds everything ``expect`` says: objects by key, lists element by element."""
    if isinstance(expect, dict):
        return isinstance(outcome, dict) and all(k in outcome and contains(outcome[k], v) for k, v in expect.items())
    if isinstance(expect, list):
        return isinstance(outcome, list) and len(outcome) == len(expect) and all(map(contains, outcome, expect))
    return bool(outcome == expect)


def same(a: Any, b: Any) -> bool:
    """Equal, with floats (embeddings) equal to a millionth."""
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same, a, b))
    return bool(a == b)


def calls_validate(case: Dict[str, Any], outcome: Dict[str, Any]) -> None:
    """Each call's arguments validate against its tool's JSON Schema (cases marked ``validate_calls``)."""
    for s, got in zip(case.get("steps", []), outcome.get("steps", [])):
        schemas = {t["name"]: t.get("parameters", {}) for t in s.get("options", {}).get("tools", [])}
        for call in got.get("tool_calls", []):
            jsonschema.validate(json.loads(call["arguments"]), schemas[call["name"]])


def pieces_join(outcome: Dict[str, Any]) -> bool:
    return all("".join(s["pieces"]) == s["text"] for s in outcome.get("steps", []) if "pieces" in s)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: Dict[str, Any], engines: Any, fixtures: Dict[str, Any], reference: Dict[str, Any]) -> None:
    gap = case.get("known_gap", {}).get("python")
    if gap:
        pytest.skip(f"known gap: {gap}")
    outcome = run(engines(case.get("engine", "default")), case, pathlib.Path(fixtures["media"]))
    assert contains(outcome, case.get("expect", {})), f"expected {case.get('expect')}, got {outcome}"
    assert pieces_join(outcome), outcome
    if case.get("validate_calls"):
        calls_validate(case, outcome)
    assert same(outcome, reference[case["id"]]), f"the Rust host gave {reference[case['id']]}, this one {outcome}"
