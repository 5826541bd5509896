"""Audio through wasmtime-py: the default model with a tiny random-weight
Ultravox projector (50 embeddings per 30-second chunk). The shared audio cases
(token counts, malformed files, refusals) are in tests/conformance."""

import asyncio
import pathlib

import pytest

from inf_wasi import AsyncEngine, Audio, Completion, Engine, Image, InvalidInputError, Message


@pytest.fixture(scope="module")
def engine(model: str, audio_projector: str) -> Engine:
    return Engine({"gemma-audio": {"path": model, "projector": audio_projector}}, threads=1, context_size=512)


def ask(part: object) -> list:
    return [{"role": "user", "content": ["What do you hear? ", part]}]


def test_audio_as_bytes_or_a_path_gives_one_answer(engine: Engine, audio: pathlib.Path) -> None:
    path = audio / "tones-1s.wav"
    answers = set()
    for part in [Audio(str(path)), Audio(path), Audio(path.read_bytes())]:
        c = engine.session("gemma-audio").chat(ask(part), max_tokens=6, temperature=0)
        answers.add((c.text, c.usage.prompt_tokens))
    assert len(answers) == 1


def test_the_history_gives_audio_back_as_audio(engine: Engine, audio: pathlib.Path) -> None:
    clip = Audio(audio / "tones-1s.wav")
    session = engine.session("gemma-audio")
    session.chat(ask(clip), max_tokens=2, temperature=0)
    asked = session.history[0]
    assert isinstance(asked.content, list) and asked.content[1] == clip and asked.content[1] != Image(clip.data)
    # The history replays as it came: the same prompt, token for token.
    replayed = engine.session("gemma-audio").chat([asked], max_tokens=2, temperature=0)
    assert replayed.usage.prompt_tokens == engine.session("gemma-audio").chat(ask(clip), max_tokens=2).usage.prompt_tokens
    assert isinstance(Message.coerce({"role": "user", "content": ["x", clip]}).content[1], Audio)  # type: ignore[index]


def test_an_audio_file_that_cannot_be_read_and_a_length_limit(model: str, audio_projector: str, audio: pathlib.Path) -> None:
    with pytest.raises(InvalidInputError, match="could not be read"):
        Audio(str(audio / "no-such.wav"))
    with pytest.raises(InvalidInputError, match="bytes or a path"):
        Audio(3)  # type: ignore[arg-type]
    with Engine({"a": {"path": model, "projector": audio_projector}}, threads=1, max_audio_seconds=30) as short:
        with pytest.raises(InvalidInputError, match="max audio length of 30 seconds"):
            short.session("a").chat(ask(Audio(audio / "tones-31s.wav")), max_tokens=1)
    with pytest.raises(InvalidInputError, match="max_audio_seconds|audio"):
        Engine({"a": {"path": model, "projector": audio_projector}}, max_audio_seconds=0)


def test_audio_through_asyncio(model: str, audio_projector: str, audio: pathlib.Path) -> None:
    async def main() -> Completion:
        async with AsyncEngine({"a": {"path": model, "projector": audio_projector}}, threads=1, context_size=512) as engine:
            session = await engine.session("a")
            return await session.chat(ask(Audio(audio / "tones-1s.wav")), max_tokens=2, temperature=0)

    c = asyncio.run(main())
    assert c.usage.prompt_tokens == 65 and c.finish_reason == "length"
