import os

import pytest

import inf_wasi
from inf_wasi import errors
from inf_wasi.errors import (
    ContextOverflowError,
    InfWasiError,
    InvalidInputError,
    InvalidModelError,
    ModelNotFoundError,
    UnsupportedError,
)
from conftest import REPO


def still_works(engine):
    assert "100" in engine.session("gemma").complete("Water boils at", temperature=0, max_tokens=4).text


def test_every_wit_error_case_maps_to_its_own_exception():
    wit = (REPO / "wit" / "inf-wasi.wit").read_text()
    block = wit[wit.index("variant error {"):wit.index("}", wit.index("variant error {"))]
    cases = [line.strip().split("(")[0] for line in block.splitlines() if line.strip().endswith("(string),")]
    assert len(cases) == 7
    assert sorted(cases) == sorted(errors.BY_CODE)
    for code in cases:
        e = errors.from_code(code, "m")
        assert isinstance(e, InfWasiError) and e.code == code and type(e) is not InfWasiError
        assert type(e).__name__ in inf_wasi.__all__


def test_unknown_model(engine):
    with pytest.raises(ModelNotFoundError):
        engine.session("no-such-model")
    with pytest.raises(ModelNotFoundError):
        engine.embed("no-such-model", "x")
    still_works(engine)


def test_broken_models(tmp_path, model):
    data = open(model, "rb").read(8 << 20)
    (tmp_path / "trunc.gguf").write_bytes(data[: 1 << 20])
    (tmp_path / "random.gguf").write_bytes(os.urandom(4096))
    engine = inf_wasi.Engine(models={
        "trunc": tmp_path / "trunc.gguf", "random": tmp_path / "random.gguf", "missing": "/nonexistent.gguf",
        "gemma": model,
    }, threads=1)
    for name in ("trunc", "random", "missing"):
        with pytest.raises(InvalidModelError):
            engine.session(name)
    still_works(engine)


def test_bad_requests(engine):
    session = engine.session("gemma")
    bad = [
        dict(prompt=""),
        dict(prompt="x", temperature=-1),
        dict(prompt="x", top_p=1.5),
        dict(prompt="x", max_tokens=0),
        dict(prompt="x", max_tokens=-3),
        dict(prompt="x", temperature="hot"),
        dict(prompt="x", json_schema="{not json"),
        dict(prompt="x", json_schema={"type": "banana"}),
        dict(prompt="x", grammar="root ::= ("),
        dict(prompt="x", stop=[""]),
        dict(prompt="x", seed=2**40),
    ]
    for case in bad:
        prompt = case.pop("prompt")
        with pytest.raises(InvalidInputError):
            session.complete(prompt, **case)
    with pytest.raises(InvalidInputError):
        session.complete("\ud800 lone surrogate", max_tokens=2)
    with pytest.raises(InvalidInputError):
        session.chat([{"role": "wizard", "content": "hi"}])
    with pytest.raises(InvalidInputError):
        engine.session("gemma", context_size=0)
    with pytest.raises(UnsupportedError):
        session.chat([{"role": "user", "content": ["look", b"\x89PNG"]}])
    with pytest.raises(TypeError):
        session.complete("x", no_such_option=1)
    assert "100" in session.complete("Water boils at", temperature=0, max_tokens=4).text


#: Gemma's byte tokens: ``<0x00>`` is token 238, so byte ``b`` is token 238 + b.
BYTE_TOKEN = 238


def test_huge_strings_and_invalid_utf8_from_the_model(engine):
    session = engine.session("gemma")
    with pytest.raises(ContextOverflowError):
        session.complete("lorem ipsum " * (4 << 20 >> 4), max_tokens=2, temperature=0)
    with pytest.raises(InvalidInputError):
        session.complete("x", stop=["s" * (1 << 20)])
    # A lone lead byte is invalid UTF-8: it becomes U+FFFD; a whole pair is the character.
    assert engine.detokenize("gemma", [BYTE_TOKEN + 0xC3]) == "\ufffd"
    assert engine.detokenize("gemma", [BYTE_TOKEN + 0xC3, BYTE_TOKEN + 0xA9]) == "é"
    assert "100" in session.complete("Water boils at", temperature=0, max_tokens=4).text


def test_context_overflow(engine):
    session = engine.session("gemma", context_size=64)
    with pytest.raises(ContextOverflowError):
        session.complete("The quick brown fox jumps over the lazy dog. " * 20)
    c = session.complete("Once upon a time", temperature=0, max_tokens=500)
    assert c.finish_reason == "context-full"


def test_closed_session(engine):
    session = engine.session("gemma")
    session.close()
    with pytest.raises(InvalidInputError):
        session.complete("x")
