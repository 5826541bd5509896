"""Typed structured output: Pydantic models in, validated instances out, with
schemas Pydantic builds (nested models, constrained numbers, enums, optional
fields, lists of models), sampled with the instruct test model on several seeds."""

import datetime
import enum
import os
import subprocess
import sys
import uuid
from typing import List, Optional

import pytest
from conftest import REPO
from pydantic import BaseModel, Field

from inf_wasi import Engine, InvalidInputError


class Colour(str, enum.Enum):
    red = "red"
    green = "green"
    blue = "blue"


class Address(BaseModel):
    street: str = Field(max_length=40)
    city: str = Field(max_length=30)
    zip: str = Field(pattern=r"^\d{5}$")


class Person(BaseModel):
    name: str = Field(min_length=1, max_length=30)
    age: int = Field(ge=0, le=120)
    favourite: Colour
    home: Address
    previous: List[Address] = Field(default_factory=list, max_length=2)
    nickname: Optional[str] = Field(default=None, max_length=20)
    id: uuid.UUID
    born: datetime.date
    score: float = Field(ge=0, le=1)


@pytest.fixture(scope="module")
def chat(chat_model: str) -> Engine:
    return Engine({"chat": chat_model}, threads=1, context_size=2048)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_pydantic_model_comes_back_as_an_instance(chat: Engine, seed: int) -> None:
    question = [{"role": "user", "content": "Describe a made-up person as JSON."}]
    person = chat.session("chat").chat(question, schema=Person, temperature=0.8, seed=seed, max_tokens=400)
    assert isinstance(person, Person)
    assert 0 <= person.age <= 120 and 0 <= person.score <= 1 and len(person.home.zip) == 5
    assert isinstance(person.favourite, Colour) and isinstance(person.born, datetime.date)


def test_complete_takes_a_schema_too_and_a_cut_answer_is_a_clear_error(chat: Engine) -> None:
    address = chat.session("chat").complete("An address as JSON:", schema=Address, temperature=0, max_tokens=200)
    assert isinstance(address, Address)
    with pytest.raises(InvalidInputError, match="raise max_tokens"):
        chat.session("chat").complete("An address as JSON:", schema=Address, temperature=0, max_tokens=3)
    with pytest.raises(InvalidInputError, match="Pydantic model class"):
        chat.session("chat").complete("x", schema=dict, max_tokens=3)


EXAMPLE = REPO / "bindings" / "python" / "examples" / "typed.py"


def test_the_typed_example_is_verbatim_and_runs(model: str) -> None:
    assert "```python\n" + EXAMPLE.read_text() + "```" in (REPO / "README.md").read_text()
    out = subprocess.run([sys.executable, str(EXAMPLE)], env=dict(os.environ, INF_WASI_MODEL=model),
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("City ")
