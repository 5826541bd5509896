"""Typed structured output: a Pydantic model class in, a validated instance out.

Pydantic is optional (``pip install "inf-wasi[pydantic]"``): the package never
imports it, it calls the two methods every Pydantic v2 model class has. The
model's JSON schema goes to the component like any ``json_schema``, so its
grammar (``$defs``, bounds, patterns, formats) is the one every language uses.
"""

from __future__ import annotations

import json
from typing import Any, Type, TypeVar

from .errors import BackendError, InvalidInputError
from .types import Completion

T = TypeVar("T")


def json_schema_of(model: Type[Any]) -> str:
    """The JSON schema of a Pydantic model class, as text."""
    if not (isinstance(model, type) and hasattr(model, "model_json_schema") and hasattr(model, "model_validate_json")):
        raise InvalidInputError(f"schema must be a Pydantic model class (pip install \"inf-wasi[pydantic]\"), got {model!r}")
    return json.dumps(model.model_json_schema())


def parsed(model: Type[T], completion: Completion) -> T:
    """The completion's text as an instance of ``model``."""
    if completion.finish_reason != "stop":
        raise InvalidInputError(
            f"the answer ended ({completion.finish_reason}) before its JSON did, after "
            f"{completion.usage.completion_tokens} tokens: raise max_tokens"
        )
    try:
        instance: T = model.model_validate_json(completion.text)  # type: ignore[attr-defined]
    except ValueError as e:
        # The grammar admits only valid answers: this is a fault, not bad input.
        raise BackendError(f"the answer does not validate as {model.__name__}: {e}") from None
    return instance
