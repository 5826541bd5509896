import json
import threading


from inf_wasi import Message


def test_stream_concatenates_to_complete(engine):
    whole = engine.session("gemma").complete("Once upon a time", temperature=0, max_tokens=24)
    stream = engine.session("gemma").stream("Once upon a time", temperature=0, max_tokens=24)
    pieces = list(stream)
    assert len(pieces) > 1
    assert "".join(pieces) == whole.text
    assert stream.completion == whole


def test_seed_reproduces_sampling(engine):
    def sample(seed):
        options = dict(temperature=1.5, top_k=0, top_p=1.0, min_p=0.0, seed=seed, max_tokens=16)
        return engine.session("gemma").complete("My favourite animal is", **options).text

    assert sample(7) == sample(7)
    assert any(sample(s) != sample(7) for s in (1, 2, 3))


def test_stop_strings_and_max_tokens(engine):
    session = engine.session("gemma")
    prompt = "The three primary colors are"
    pieces = list(session.stream(prompt, temperature=0, max_tokens=8))
    # The end of one piece, the next, and the start of the one after: spans two token boundaries.
    stop = pieces[0][-1] + pieces[1] + pieces[2][0]
    full = "".join(pieces)
    stopped = session.complete(prompt, temperature=0, max_tokens=8, stop=stop)
    assert stopped.text == full[: full.index(stop)] and stopped.finish_reason == "stop"
    limited = session.complete("Count: 1, 2, 3,", temperature=0, max_tokens=5)
    assert limited.usage.completion_tokens == 5 and limited.finish_reason == "length"


def test_json_schema_output(engine):
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 24}, "age": {"type": "integer"}},
              "required": ["name", "age"]}
    c = engine.session("gemma").complete("A person as JSON:", temperature=0, max_tokens=64, json_schema=schema)
    value = json.loads(c.text)
    assert set(value) == {"name", "age"} and isinstance(value["age"], int)


def test_chat_reuses_the_kv_cache_and_keeps_history(engine):
    session = engine.session("gemma", system_prompt="Answer briefly.")
    first = session.chat([{"role": "user", "content": "Name a fruit."}], temperature=0, max_tokens=12)
    second = session.chat([Message("user", "Name a vegetable.")], temperature=0, max_tokens=12)
    first_total = first.usage.prompt_tokens + first.usage.completion_tokens
    # The template trims the reply, so a trailing newline may be evaluated again.
    assert first_total - 2 <= second.usage.cached_tokens <= first_total
    message_tokens = len(engine.tokenize("gemma", "Name a vegetable.", add_special=False))
    evaluated = second.usage.prompt_tokens - second.usage.cached_tokens
    assert message_tokens + 9 <= evaluated <= message_tokens + 10 + (first_total - second.usage.cached_tokens)
    assert [m.role for m in session.history] == ["system", "user", "assistant", "user", "assistant"]
    session.reset()
    assert [m.role for m in session.history] == ["system"]


def test_embeddings_and_tokens(engine):
    info = engine.model_info("gemma")
    assert (info.architecture, info.embedding_size, info.vision) == ("gemma3", 640, False)
    a, b = engine.embed("gemma", ["The cat sat.", "Quantum chromodynamics"])
    assert len(a) == 640 and a != b
    assert engine.embed("gemma", "The cat sat.")[0] == a
    tokens = engine.tokenize("gemma", "Hello world", add_special=False)
    assert engine.detokenize("gemma", tokens) == "Hello world"


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
            pieces = [p async for p in session.stream("Once upon a time", temperature=0, max_tokens=24)]
            whole = await session.complete("Once upon a time", temperature=0, max_tokens=24)
        tick.cancel()
        return pieces, whole, ticks

    pieces, whole, ticks = asyncio.run(main())
    assert "".join(pieces) == whole.text
    assert ticks > 5, "the event loop kept running during generation"


def test_the_wheel_ships_the_component_precompiled(engine):
    from inf_wasi import _component

    _component.runtime()
    assert _component.precompiled, "the installed wheel's precompiled component was not used"
