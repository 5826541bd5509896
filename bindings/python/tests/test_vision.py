"""Images through wasmtime-py: the default model with a tiny random-weight
projector (4 embeddings per image). What is deterministic is checked."""

import pathlib

import pytest

from inf_wasi import Engine, Image, InvalidInputError, UnsupportedError


@pytest.fixture(scope="module")
def engine(model: str, projector: str) -> Engine:
    models = {"gemma-vision": {"path": model, "projector": projector}, "gemma": model}
    return Engine(models, threads=1, context_size=512)


def ask(image: object) -> list:
    return [{"role": "user", "content": ["What is in this picture? ", image]}]


def test_an_image_question_streams_and_repeats_exactly(engine: Engine, images: pathlib.Path) -> None:
    assert engine.model_info("gemma-vision").vision
    assert not engine.model_info("gemma").vision
    session = engine.session("gemma-vision")
    stream = session.chat_stream(ask(Image(str(images / "gradient.png"))), max_tokens=6, temperature=0)
    pieces = list(stream)
    assert stream.completion is not None and "".join(pieces) == stream.completion.text
    first = stream.completion
    # The same image as bytes and as a pathlib.Path: the same prompt and answer.
    for image in [(images / "gradient.png").read_bytes(), images / "gradient.png"]:
        again = engine.session("gemma-vision").chat(ask(image), max_tokens=6, temperature=0)
        assert (again.text, again.usage.prompt_tokens) == (first.text, first.usage.prompt_tokens)
    larger = engine.session("gemma-vision").chat(ask(images / "large.png"), max_tokens=2, temperature=0)
    assert larger.usage.prompt_tokens == first.usage.prompt_tokens, "every image is 4 tokens"
    jpeg = engine.session("gemma-vision").chat(ask(images / "gradient.jpg"), max_tokens=2, temperature=0)
    assert jpeg.usage.prompt_tokens == first.usage.prompt_tokens, "a JPEG too"
    follow_up = session.chat([{"role": "user", "content": "And its colour?"}], max_tokens=4, temperature=0)
    assert follow_up.usage.prompt_tokens > first.usage.prompt_tokens
    assert len(session.history) == 4


@pytest.mark.parametrize("name", ["truncated.png", "not-an-image.jpg", "zero.png", "huge-header.png"])
def test_bad_images_are_invalid_input(engine: Engine, images: pathlib.Path, name: str) -> None:
    session = engine.session("gemma-vision")
    with pytest.raises(InvalidInputError):
        session.chat(ask(images / name), max_tokens=2)
    assert session.chat(ask(images / "gradient.png"), max_tokens=2, temperature=0).usage.completion_tokens > 0


def test_missing_files_empty_images_and_text_models(engine: Engine, images: pathlib.Path) -> None:
    with pytest.raises(InvalidInputError, match="could not be read"):
        Image(str(images / "no-such.png"))
    with pytest.raises(InvalidInputError):
        engine.session("gemma-vision").chat(ask(b""), max_tokens=2)
    with pytest.raises(UnsupportedError):
        engine.session("gemma").chat(ask(images / "gradient.png"), max_tokens=2)
