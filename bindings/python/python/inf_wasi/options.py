"""Generation options as keyword arguments, checked for type here and for value
in the component (which gives every binding the same messages)."""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence, Union

from wasmtime.component import Variant

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
    tools: Optional[Sequence[Any]] = None,
    tool_choice: Union[str, Mapping[str, Any], None] = None,
    parallel_tool_calls: Optional[bool] = None,
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
        tools=[_tool(t) for t in _sequence("tools", tools)],
        tool_choice=_tool_choice(tool_choice),
        parallel_tool_calls=_bool("parallel_tool_calls", parallel_tool_calls),
    )


def _sequence(name: str, value: Optional[Sequence[Any]]) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise InvalidInputError(f"{name} must be a list")
    return value


def _bool(name: str, value: Optional[bool]) -> Optional[bool]:
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}")
    return value


def _tool(tool: Any) -> Any:
    """A tool: ``Tool``, or a dict as OpenAI writes one (``{"type": "function", "function": {...}}``)
    or flat (``{"name", "description", "parameters"}``); parameters are a dict or JSON text."""
    from .types import Tool

    if isinstance(tool, Tool):
        tool = {"name": tool.name, "description": tool.description, "parameters": tool.parameters}
    if not isinstance(tool, Mapping):
        raise InvalidInputError(f"a tool is a Tool or a dict, got {type(tool).__name__}")
    function = tool.get("function", tool)
    name, description, parameters = function.get("name"), function.get("description"), function.get("parameters")
    if not isinstance(name, str):
        raise InvalidInputError(f"a tool needs a name, got {tool!r}")
    if description is not None and not isinstance(description, str):
        raise InvalidInputError(f"the description of tool {name!r} must be a string")
    if parameters is not None and not isinstance(parameters, str):
        parameters = json.dumps(parameters)
    return record(name=name, description=description, parameters=parameters)


def _tool_choice(choice: Union[str, Mapping[str, Any], None]) -> Optional[Variant]:
    """``"auto"``, ``"none"``, ``"required"``, or one function: ``{"function": NAME}``
    or OpenAI's ``{"type": "function", "function": {"name": NAME}}``."""
    if choice is None:
        return None
    if choice in ("auto", "none", "required"):
        return Variant(str(choice))
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else function
        if isinstance(name, str):
            return Variant("function", name)
    raise InvalidInputError(f"tool_choice must be 'auto', 'none', 'required' or {{'function': NAME}}, got {choice!r}")


def session_options(context_size: Optional[int] = None, system_prompt: Optional[str] = None) -> Any:
    if system_prompt is not None and not isinstance(system_prompt, str):
        raise InvalidInputError("system_prompt must be a string")
    return record(context_size=_u32("context_size", context_size), system_prompt=system_prompt)
