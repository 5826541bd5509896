"""What only Python has (threads, asyncio, the precompiled component); the
shared behaviour is in tests/conformance."""

import threading

import pytest

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
