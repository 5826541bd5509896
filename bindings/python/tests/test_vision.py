"""Images through wasmtime-py: the default model with a tiny random-weight
projector (4 embeddings per image)."""

import pathlib

import pytest

from inf_wasi import Engine, Image, InvalidInputError


@pytest.fixture(scope="module")
def engine(model: str, projector: str) -> Engine:
    models = {"gemma-vision": {"path": model, "projector": projector}, "gemma": model}
    return Engine(models, threads=1, context_size=512)


def ask(image: object) -> list:
    return [{"role": "user", "content": ["What is in this picture? ", image]}]


def test_an_image_as_image_bytes_or_path_gives_one_answer(engine: Engine, images: pathlib.Path) -> None:
    """The ways Python takes an image (the shared image cases are in tests/conformance)."""
    path = images / "gradient.png"
    answers = set()
    for image in [Image(str(path)), path.read_bytes(), path]:
        c = engine.session("gemma-vision").chat(ask(image), max_tokens=6, temperature=0)
        answers.add((c.text, c.usage.prompt_tokens))
    assert len(answers) == 1


def test_an_image_file_that_cannot_be_read(engine: Engine, images: pathlib.Path) -> None:
    with pytest.raises(InvalidInputError, match="could not be read"):
        Image(str(images / "no-such.png"))
