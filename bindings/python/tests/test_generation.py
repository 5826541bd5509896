"""What only Python has (threads, asyncio, the precompiled component); the
shared behaviour is in tests/conformance."""

import json
import threading
from typing import List, Optional

import pytest

from conftest import REPO
from inf_wasi import Engine, InvalidInputError


def test_two_sessions_generate_on_two_threads(engine):
    prompts = ["Water boils at", "The capital of France is"]
    serial = [engine.session("gemma").complete(p, temperature=0, max_tokens=16).text for p in prompts]
    results = [None, None]

    def run(i):
        results[i] = engine.session("gemma").complete(prompts[i], temperature=0, max_tokens=16).text

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == serial


def test_sessions_sharing_a_context_generate_what_each_generates_alone(model):
    """Eight sessions on eight threads, in one context of a model shared by
    eight (``parallel=8``): the backend decodes their tokens together, and
    with exact batching (the default) each greedy output of the conformance
    prompts held to llama.cpp's own is the one its session gives alone."""
    cases = json.loads((REPO / "tests" / "conformance" / "cases.json").read_text())["cases"]
    steps = [case["steps"][0] for case in cases if case.get("llama_cpp")]
    assert len(steps) == 8

    def complete(engine: Engine, step: dict) -> str:
        session = engine.session("gemma")
        return session.complete(step["complete"], temperature=0, max_tokens=step["options"]["max_tokens"]).text

    with Engine(models={"gemma": model}, threads=1, context_size=256) as alone_engine:
        alone = [complete(alone_engine, step) for step in steps]
    together: List[Optional[str]] = [None] * len(steps)
    with Engine(models={"gemma": model}, threads=1, context_size=256, parallel=8) as shared:
        start = threading.Barrier(len(steps))

        def run(i: int) -> None:
            start.wait()
            together[i] = complete(shared, steps[i])

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(steps))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert together == alone


def test_asyncio_does_not_block_the_event_loop(model):
    import asyncio

    from inf_wasi import AsyncEngine

    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick = asyncio.create_task(ticker())
        async with AsyncEngine(models={"gemma": model}, threads=1) as engine:
            session = await engine.session("gemma")
            stream = session.stream("Once upon a time", temperature=0, max_tokens=24)
            pieces = [p async for p in stream]
            whole = await session.complete("Once upon a time", temperature=0, max_tokens=24)
            history = await session.history()
            tokens = await engine.tokenize("gemma", "Hello world", add_special=False)
            text = await engine.detokenize("gemma", tokens)
        tick.cancel()
        return pieces, stream.completion, whole, history, text, ticks, session

    pieces, streamed, whole, history, text, ticks, session = asyncio.run(main())
    assert "".join(pieces) == whole.text == streamed.text  # the second run reuses the cached prompt
    assert history == [] and text == "Hello world"
    assert ticks > 5, "the event loop kept running during generation"
    with pytest.raises(InvalidInputError):
        session.sync.complete("x")  # the engine closed it on leaving the block


def test_closing_an_engine_closes_its_sessions(model):
    engine = Engine(models={"gemma": model}, threads=1)
    session = engine.session("gemma")
    engine.close()
    with pytest.raises(InvalidInputError):
        session.complete("x")
    with pytest.raises(InvalidInputError):
        engine.session("gemma")


def test_the_wheel_ships_the_component_precompiled(engine):
    from inf_wasi import _component

    _component.runtime()
    assert _component.precompiled, "the installed wheel's precompiled component was not used"
