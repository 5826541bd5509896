import pytest

import inf_wasi
from inf_wasi import Engine, errors
from inf_wasi.errors import InfWasiError, InvalidInputError
from conftest import REPO, model_path


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


def test_bad_python_values(engine):
    """What only Python can pass (the shared bad requests are in tests/conformance)."""
    session = engine.session("gemma")
    with pytest.raises(InvalidInputError):
        session.complete("x", temperature="hot")
    with pytest.raises(InvalidInputError):
        session.complete("x", max_tokens=-3)
    with pytest.raises(InvalidInputError):
        session.complete("x", seed=2**40)
    with pytest.raises(InvalidInputError):
        session.complete("\ud800 lone surrogate", max_tokens=2)
    with pytest.raises(InvalidInputError):
        session.chat([{"role": "wizard", "content": "hi"}])
    with pytest.raises(TypeError):
        session.complete("x", no_such_option=1)
    for bad in ({"parallel": 0}, {"parallel": 1000}, {"parallel": -1}, {"batching": "quick"}):
        with pytest.raises(InvalidInputError):
            Engine(models={"gemma": model_path()}, **bad)
    still_works(engine)


#: Gemma's byte tokens: ``<0x00>`` is token 238, so byte ``b`` is token 238 + b.
BYTE_TOKEN = 238


def test_closed_session(engine):
    session = engine.session("gemma")
    session.close()
    with pytest.raises(InvalidInputError):
        session.complete("x")
