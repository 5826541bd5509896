"""One file to deploy: a model packed into the .wasm (`inf-wasi pack`) opens with one call."""

import pathlib
import subprocess
import sys

import pytest

from inf_wasi import Engine, InvalidModelError

COMMAND = pathlib.Path(sys.executable).with_name("inf-wasi")
PROMPT = "The capital of France is"


def pack(model: str, out: pathlib.Path, *extra: str) -> pathlib.Path:
    command = [str(COMMAND), "pack", model, "--name", "gemma", "-o", str(out), *extra]
    subprocess.run(command, check=True, capture_output=True)
    return out


def test_a_packed_model_answers_as_its_file_does(model: str, engine: Engine, tmp_path: pathlib.Path) -> None:
    packed = Engine.from_file(pack(model, tmp_path / "app.wasm"), threads=1, context_size=2048)
    with packed:
        assert packed.model_names == ["gemma"]
        assert packed.model_info("gemma").name == "gemma"
        expected = engine.session("gemma").complete(PROMPT, max_tokens=12, temperature=0).text
        assert packed.session("gemma").complete(PROMPT, max_tokens=12, temperature=0).text == expected


def test_a_packed_projector_sees_as_its_file_does(
    model: str, projector: str, images: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    question = [{"role": "user", "content": ["What is in this picture? ", images / "gradient.png"]}]
    with Engine({"gemma": {"path": model, "projector": projector}}, threads=1) as files:
        expected = files.session("gemma").chat(question, max_tokens=12, temperature=0)
    with Engine.from_file(pack(model, tmp_path / "vision.wasm", "--mmproj", projector), threads=1) as packed:
        assert packed.model_info("gemma").vision
        answer = packed.session("gemma").chat(question, max_tokens=12, temperature=0)
    assert (answer.text, answer.usage.prompt_tokens) == (expected.text, expected.usage.prompt_tokens)


def test_files_that_are_not_packed_models_are_invalid(model: str, tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidModelError, match="not a WebAssembly component"):
        Engine.from_file(model)
    flipped = pack(model, tmp_path / "flipped.wasm")
    data = bytearray(flipped.read_bytes())
    data[-1] ^= 1
    flipped.write_bytes(bytes(data))
    with Engine.from_file(flipped, threads=1) as broken:
        with pytest.raises(InvalidModelError, match="SHA-256"):
            broken.session("gemma")
