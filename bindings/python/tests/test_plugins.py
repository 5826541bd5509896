"""Plugins through wasmtime-py: the example plugins (examples/plugins/rust and
examples/plugins/python), a plugin that probes its sandbox, and misbehaving ones."""

import json
import pathlib
import time

import pytest

from inf_wasi import BackendError, CancelledError, Engine, InvalidInputError, _native
from inf_wasi._component import source


@pytest.fixture(scope="module")
def engine(model: str) -> Engine:
    return Engine({"gemma": model}, threads=1, context_size=512, guest_time_limit=0.5)


def directly(engine: Engine, text: str) -> dict:
    """What the example plugins do, through the binding."""
    completion = engine.session("gemma").complete(text, max_tokens=12, temperature=0).text
    schema = {"type": "object", "properties": {"topic": {"enum": ["science", "cooking", "sports", "other"]}},
              "required": ["topic"]}
    question = f"Which topic is this about: science, cooking, sports or other?\n\n{text}{completion}"
    answer = engine.session("gemma").chat([{"role": "user", "content": question}], max_tokens=24, temperature=0,
                                          json_schema=json.dumps(schema, separators=(",", ":")))
    return {"completion": completion, "topic": json.loads(answer.text)["topic"]}


@pytest.mark.parametrize("name", ["rust-pipeline", "python-pipeline"])
def test_each_example_plugin_answers_as_the_same_calls_made_directly(engine: Engine, plugins: pathlib.Path,
                                                                     name: str) -> None:
    plugin = engine.plugin(plugins / f"{name}.wasm")
    run = plugin.run(json.dumps({"model": "gemma", "text": "Water boils at"}))
    assert run.error is None and run.output is not None
    assert json.loads(run.output) == directly(engine, "Water boils at")
    refused = plugin.run("not JSON")
    assert refused.output is None and refused.error is not None and "not JSON" in refused.error


def test_a_plugin_reaches_no_files_network_or_environment(engine: Engine, plugins: pathlib.Path) -> None:
    run = engine.plugin(str(plugins / "python-sandbox.wasm")).run("hello")
    assert run.output is not None
    report = json.loads(run.output)
    assert report["read_file"] == report["list_root"] == "FileNotFoundError"
    assert report["environment"] == {} and report["arguments"] == []
    assert report["connect"].endswith("Error")
    assert (run.stdout, run.stderr) == (b"to stdout: hello\n", b"to stderr: hello\n")


def test_what_is_not_a_plugin_or_asks_for_more_is_refused(engine: Engine, plugins: pathlib.Path) -> None:
    with pytest.raises(InvalidInputError, match="wasi:http/outgoing-handler"):
        engine.plugin(plugins / "wants-http.wasm")
    with pytest.raises(InvalidInputError, match="not an inf-wasi plugin"):
        engine.plugin(b"\0asm but not really")
    with pytest.raises(InvalidInputError, match="could not be read"):
        engine.plugin("/nonexistent/plugin.wasm")
    with pytest.raises(InvalidInputError, match="a string"):
        engine.plugin(plugins / "rust-pipeline.wasm").run(3)  # type: ignore[arg-type]


def test_a_looping_plugin_is_stopped_and_a_panicking_one_is_an_error(engine: Engine, plugins: pathlib.Path) -> None:
    started = time.monotonic()
    with pytest.raises(CancelledError):
        engine.plugin(plugins / "loops.wasm").run("spin")
    assert time.monotonic() - started < 5
    with pytest.raises(BackendError):
        engine.plugin(plugins / "panics.wasm").run("boom")
    assert engine.session("gemma").complete("Water boils at", max_tokens=2, temperature=0).usage.completion_tokens == 2


def test_a_plugins_compiled_code_is_kept_and_a_damaged_copy_compiled_anew(engine: Engine,
                                                                          plugins: pathlib.Path) -> None:
    plugin = (plugins / "rust-pipeline.wasm").read_bytes()
    cached = pathlib.Path(_native.compiled_plugin_path(_native.compose_plugin(source(), plugin)))
    cached.unlink(missing_ok=True)
    engine.plugin(plugin)
    kept = cached.read_bytes()
    cached.write_bytes(b"not compiled code")
    run = engine.plugin(plugin).run(json.dumps({"model": "gemma", "text": "Hi"}))
    assert run.error is None
    assert cached.read_bytes() == kept
