"""Generation options as keyword arguments, checked for type here and for value
in the component (which gives every binding the same messages)."""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence, Union

from ._component import record
from .errors import InvalidInputError

U32 = 2**32


def _u32(name: str, value: Optional[int]) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < U32:
        raise InvalidInputError(f"{name} must be a whole number from 0 to {U32 - 1}, got {value!r}")
    return value


def _float(name: str, value: Optional[float]) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(f"{name} must be a number, got {value!r}")
    return float(value)


def generate_options(
    max_tokens: Optional[int] = None,
    stop: Union[str, Sequence[str], None] = None,
    temperature: Optional[float] = None,
    top_k: Optional[int] = None,
    top_p: Optional[float] = None,
    min_p: Optional[float] = None,
    repeat_penalty: Optional[float] = None,
    repeat_last_n: Optional[int] = None,
    seed: Optional[int] = None,
    grammar: Optional[str] = None,
    json_schema: Union[str, Mapping[str, Any], None] = None,
) -> Any:
    """The WIT ``generate-options`` record. ``None`` takes the documented default."""
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    if not all(isinstance(s, str) for s in stops):
        raise InvalidInputError("stop must be a string or a list of strings")
    if json_schema is not None and not isinstance(json_schema, str):
        json_schema = json.dumps(json_schema)
    if grammar is not None and not isinstance(grammar, str):
        raise InvalidInputError("grammar must be a GBNF string")
    return record(
        max_tokens=_u32("max_tokens", max_tokens),
        stop=stops,
        temperature=_float("temperature", temperature),
        top_k=_u32("top_k", top_k),
        top_p=_float("top_p", top_p),
        min_p=_float("min_p", min_p),
        repeat_penalty=_float("repeat_penalty", repeat_penalty),
        repeat_last_n=_u32("repeat_last_n", repeat_last_n),
        seed=_u32("seed", seed),
        grammar=grammar,
        json_schema=json_schema,
    )


def session_options(context_size: Optional[int] = None, system_prompt: Optional[str] = None) -> Any:
    if system_prompt is not None and not isinstance(system_prompt, str):
        raise InvalidInputError("system_prompt must be a string")
    return record(context_size=_u32("context_size", context_size), system_prompt=system_prompt)
