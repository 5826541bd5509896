"""The sandbox and the limits under wasmtime-py: a component asking for more
than wasi:nn is refused, so is a wasmtime-py the native imports cannot read, hostile chat templates are stopped, sizes are capped,
a cancel from another thread stops a generation within 100 ms, and many
sessions on many threads behave as serial ones. After each, the engine answers."""

import ctypes
import pathlib
import threading
import time
from typing import Any, List

import pytest
from conftest import BLOATING_TEMPLATE, REPO, SLOW_TEMPLATE, template_model
from wasmtime.component import Component

from inf_wasi import BackendError, CancelledError, Engine, InvalidInputError, UnsupportedError
from inf_wasi._component import Instance, runtime


def still_answers(engine: Engine) -> None:
    assert engine.session("gemma").complete("The capital of France is", max_tokens=4, temperature=0).text


def test_a_component_that_imports_a_filesystem_is_refused() -> None:
    engine, _ = runtime()
    probe = Component(engine, (REPO / "target" / "inf-wasi-probes" / "wants-filesystem.wasm").read_bytes())
    with pytest.raises(BackendError) as refused:
        Instance({}, component=probe)
    assert "wasi:filesystem/preopens@0.2.0" in str(refused.value)
    assert "grants a component wasi:nn and nothing else" in str(refused.value)


def test_a_wasmtime_py_with_another_value_layout_is_refused() -> None:
    # The per-token imports are native code reading wasmtime's values in place:
    # they refuse a wasmtime-py whose values they were not built to read.
    from wasmtime import _ffi as ffi

    from inf_wasi import _native
    from inf_wasi._component import value_layout

    runtime()
    size, kinds = value_layout()
    for wrong in [(size + 8, kinds), (size, kinds[::-1])]:
        with pytest.raises(ValueError, match="not the layout this extension was built for"):
            _native.use_wasmtime(ffi.dll._handle, *wrong)
    _native.use_wasmtime(ffi.dll._handle, size, kinds)


def test_a_component_that_panics_is_reported_by_its_own_words() -> None:
    # The probe traps as the component does on a panic, after saying why.
    engine, _ = runtime()
    probe = Component(engine, (REPO / "target" / "inf-wasi-probes" / "aborts.wasm").read_bytes())
    with pytest.raises(BackendError) as stopped:
        Instance({}, component=probe, interface=None).call("run")
    assert "the component panicked" in str(stopped.value)
    assert str(stopped.value).endswith("the abort probe stops here on purpose")


def test_a_slow_chat_template_ends_with_a_deadline_error(model: str, tmp_path: pathlib.Path) -> None:
    slow = template_model(tmp_path, "slow", SLOW_TEMPLATE)
    engine = Engine({"gemma": model, "slow": slow}, threads=1, context_size=256, guest_time_limit=0.05)
    session = engine.session("slow")
    started = time.monotonic()
    with pytest.raises(CancelledError, match="0.05 s"):
        session.chat([{"role": "user", "content": "hi"}], temperature=0)
    assert time.monotonic() - started < 5
    with pytest.raises(BackendError, match="failed earlier"):
        session.complete("Hello", temperature=0)
    still_answers(engine)


def test_a_template_that_renders_gigabytes_meets_the_memory_cap(model: str, tmp_path: pathlib.Path) -> None:
    bloating = template_model(tmp_path, "bloating", BLOATING_TEMPLATE)
    engine = Engine(
        {"gemma": model, "bloating": bloating},
        threads=1,
        context_size=256,
        guest_memory_limit=64 << 20,
        guest_time_limit=60,
    )
    # The component's own report: the allocation that failed at the cap.
    with pytest.raises(BackendError, match=r"memory cap of 67108864 bytes .*\(an allocation of \d+ bytes failed\)"):
        engine.session("bloating").chat([{"role": "user", "content": "hi"}], temperature=0)
    still_answers(engine)


def test_context_output_and_image_sizes_are_capped(model: str) -> None:
    engine = Engine(
        {"gemma": model}, threads=1, context_size=256, max_context_size=512, max_output_tokens=5, max_image_bytes=1000
    )
    with pytest.raises(InvalidInputError, match="max context size of 512"):
        engine.session("gemma", context_size=1024)
    session = engine.session("gemma")
    with pytest.raises(InvalidInputError, match="max output tokens"):
        session.complete("Once upon a time", max_tokens=6, temperature=0)
    c = session.complete("Once upon a time", temperature=0)
    assert (c.usage.completion_tokens, c.finish_reason) == (5, "length")
    with pytest.raises(InvalidInputError, match="max image size is 1000 bytes"):
        session.chat([{"role": "user", "content": [b"\0" * 1001]}], temperature=0)
    with pytest.raises(UnsupportedError):
        session.chat([{"role": "user", "content": [b"\0" * 1000]}], temperature=0)
    still_answers(engine)


@pytest.mark.parametrize(
    "options",
    [{"guest_time_limit": 0}, {"guest_time_limit": -1.0}, {"guest_memory_limit": 1000}, {"max_output_tokens": 0},
     {"max_audio_seconds": 0}, {"max_audio_seconds": -1}, {"max_audio_seconds": 2**32}],
)
def test_bad_limits_are_invalid_input(model: str, options: Any) -> None:
    with pytest.raises(InvalidInputError):
        Engine({"gemma": model}, **options)


def test_a_cancel_from_another_thread_stops_a_stream_within_100_ms(engine: Engine) -> None:
    session = engine.session("gemma")
    stream = session.stream("Write a long story about a dragon.", max_tokens=2000, temperature=0)
    for _ in range(5):
        next(stream)
    threading.Timer(0.0, session.cancel).start()
    cancelled_at = time.monotonic()
    with pytest.raises(CancelledError):
        for _ in stream:
            pass
    latency = time.monotonic() - cancelled_at
    print(f"the stream stopped {latency * 1000:.1f} ms after the cancel")
    assert latency < 0.1
    assert session.complete("The capital of France is", max_tokens=4, temperature=0).text


def test_a_cancelled_chat_turn_leaves_no_trace(engine: Engine) -> None:
    first = [{"role": "user", "content": "Name a colour."}]
    after = [{"role": "user", "content": "Name a fruit."}]
    session = engine.session("gemma")
    session.chat(first, max_tokens=8, temperature=0)
    before = session.history
    story = [{"role": "user", "content": "Write a long story about a dragon."}]
    stream = session.chat_stream(story, max_tokens=2000, temperature=0)
    for _ in range(5):
        next(stream)
    session.cancel()
    with pytest.raises(CancelledError):
        for _ in stream:
            pass
    # Neither the question nor part of an answer stays behind.
    assert session.history == before
    fresh = engine.session("gemma")
    fresh.chat(first, max_tokens=8, temperature=0)
    assert session.chat(after, max_tokens=8, temperature=0).text == fresh.chat(after, max_tokens=8, temperature=0).text


def test_a_long_prompt_stops_within_100_ms_of_a_cancel(engine: Engine) -> None:
    session = engine.session("gemma")
    prompt = "The quick brown fox jumps over the lazy dog. " * 180
    when: List[float] = []

    batches = session._instance.cancel.prompt_batches_started

    def cancel_later() -> None:
        # Once prompt evaluation is under way, not after a guessed delay.
        started = batches()
        deadline = time.monotonic() + 30
        while batches() == started and time.monotonic() < deadline:
            time.sleep(0.001)
        when.append(time.monotonic())
        session.cancel()

    threading.Thread(target=cancel_later).start()
    with pytest.raises(CancelledError):
        session.complete(prompt, max_tokens=4, temperature=0)
    latency = time.monotonic() - when[0]
    print(f"prompt evaluation stopped {latency * 1000:.1f} ms after the cancel")
    assert latency < 0.1
    fresh = engine.session("gemma")
    answer = {"max_tokens": 8, "temperature": 0}
    assert session.complete("The capital of France is", **answer).text == fresh.complete("The capital of France is", **answer).text


PROMPTS = ["The capital of France is", "Water boils at", "The opposite of hot is", "1, 2, 3, 4,"]


def answer(engine: Engine, prompt: str) -> str:
    session = engine.session("gemma")
    completion = session.complete(prompt, max_tokens=8, temperature=0).text
    chat = session.chat([{"role": "user", "content": prompt}], max_tokens=8, temperature=0).text
    session.close()
    return f"{completion}|{chat}"


def test_sessions_on_four_threads_answer_as_serial_runs_do(model: str) -> None:
    engine = Engine({"gemma": model}, threads=1, context_size=256)
    expected = [answer(engine, p) for p in PROMPTS]
    got: List[str] = [""] * len(PROMPTS)

    def run(i: int) -> None:
        got[i] = answer(engine, PROMPTS[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(PROMPTS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected


def heap_bytes() -> int:
    """Anonymous resident memory after glibc returns its free heap pages: what a
    leak would grow. (File-backed pages, the mapped model, are not the sessions'.
    Without the trim, glibc keeps up to about 45 MiB of freed heap over the first
    few thousand sessions here, then plateaus.)"""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no RssAnon in /proc/self/status")


def test_memory_is_steady_over_thousands_of_sessions(model: str) -> None:
    engine = Engine({"gemma": model}, threads=1, context_size=128)
    # Warm up: the weights, wasmtime-py's and the allocator's pools.
    for _ in range(300):
        engine.session("gemma").close()
    before = heap_bytes()
    started = time.monotonic()
    for _ in range(2000):
        engine.session("gemma").close()
    growth = heap_bytes() - before
    print(f"2000 session open/close cycles in {time.monotonic() - started:.1f} s: heap {growth / 1024:+.0f} KiB")
    assert growth < 8 << 20
    still_answers(engine)
