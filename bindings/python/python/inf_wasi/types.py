"""Plain Python values for the WIT records."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from wasmtime.component import Variant

from ._component import field as wit_field
from ._component import record
from .errors import InvalidInputError

def read_file(path: Union[str, "os.PathLike[str]"], what: str) -> bytes:
    """The bytes of the file at ``path`` (an image, audio, a plugin), or an
    InvalidInputError saying which ``what`` could not be read and why."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise InvalidInputError(f"the {what} {os.fspath(path)!r} could not be read: {e.strerror}") from None


class _Medium:
    """A media part of a message: file bytes, or the path of a file to read."""

    _what = "medium"

    def __init__(self, source: Union[bytes, str, "os.PathLike[str]"]) -> None:
        if isinstance(source, (bytes, bytearray, memoryview)):
            self.data = bytes(source)
            return
        if not isinstance(source, (str, os.PathLike)):
            raise InvalidInputError(f"{type(self).__name__} is bytes or a path, got {type(source).__name__}")
        self.data = read_file(source, self._what)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Medium) and type(other) is type(self) and other.data == self.data

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.data))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.data)} bytes)"


class Image(_Medium):
    """An image part of a message: PNG or JPEG file bytes, or the path of such a file.

    ``bytes`` and ``pathlib.Path`` parts are images too; ``Image("cat.png")``
    reads a path given as a string. A session's history gives images back as ``Image``.
    """

    _what = "image"


class Audio(_Medium):
    """An audio part of a message: WAV, FLAC or MP3 file bytes, or the path of
    such a file (``Audio("question.wav")``), for a model whose projector takes audio."""

    _what = "audio"


#: A message's content: text, or a list of text, image and audio parts
#: (``Image``, ``Audio``; ``bytes`` or a ``pathlib.Path`` are images).
Content = Union[str, Sequence[Union[str, bytes, Image, Audio, "os.PathLike[str]"]]]
ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    """Tokens in the prompt (for chat: the whole rendered conversation)."""
    cached_tokens: int
    """Prompt tokens reused from the KV cache instead of evaluated again."""
    completion_tokens: int


@dataclass(frozen=True)
class Tool:
    """A function the model may call: its name, what it does, and a JSON Schema
    of its arguments (a dict or JSON text; ``None`` takes no arguments)."""

    name: str
    description: Optional[str] = None
    parameters: Union[Mapping[str, Any], str, None] = None


@dataclass(frozen=True)
class ToolCall:
    """A call the model made: answer it with a ``tool`` message carrying its ``id``."""

    id: str
    name: str
    arguments: str
    """The arguments as JSON text (an object); ``args()`` parses them."""

    def args(self) -> Dict[str, Any]:
        parsed: Dict[str, Any] = json.loads(self.arguments)
        return parsed

    def to_wit(self) -> Any:
        return record(id=self.id, name=self.name, arguments=self.arguments)

    @staticmethod
    def from_wit(r: Any) -> "ToolCall":
        return ToolCall(wit_field(r, "id"), wit_field(r, "name"), wit_field(r, "arguments"))

    @staticmethod
    def coerce(call: Union["ToolCall", Mapping[str, Any]]) -> "ToolCall":
        """A ``ToolCall``, or a dict as OpenAI writes one (``{"id", "function": {"name", "arguments"}}``)
        or flat (``{"id", "name", "arguments"}``); arguments may be a dict."""
        if isinstance(call, ToolCall):
            return call
        if not isinstance(call, Mapping) or "id" not in call:
            raise InvalidInputError(f"a tool call is a ToolCall or a dict with an 'id', got {call!r}")
        function = call.get("function", call)
        arguments = function.get("arguments", "{}")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments)
        return ToolCall(str(call["id"]), str(function.get("name", "")), arguments)


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    """``"stop"``, ``"length"``, ``"context-full"`` or ``"tool-calls"``."""
    usage: Usage
    tool_calls: Tuple[ToolCall, ...] = ()
    """The calls the model made (chat with ``tools``)."""

    @staticmethod
    def from_wit(r: Any) -> "Completion":
        u = wit_field(r, "usage")
        usage = Usage(wit_field(u, "prompt_tokens"), wit_field(u, "cached_tokens"), wit_field(u, "completion_tokens"))
        calls = tuple(ToolCall.from_wit(c) for c in wit_field(r, "tool_calls"))
        return Completion(wit_field(r, "text"), wit_field(r, "finish_reason"), usage, calls)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    architecture: str
    context_length: int
    vocab_size: int
    embedding_size: int
    parameters: int
    size_bytes: int
    vision: bool
    audio: bool
    chat_template: Optional[str]

    @staticmethod
    def from_wit(r: Any) -> "ModelInfo":
        names = ModelInfo.__dataclass_fields__
        return ModelInfo(**{name: wit_field(r, name) for name in names})


@dataclass(frozen=True)
class Message:
    role: str
    content: Content = field(default="")
    tool_calls: Sequence[ToolCall] = ()
    """An assistant message's calls."""
    tool_call_id: Optional[str] = None
    """A ``tool`` message: the id of the call it answers."""

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(p for p in self.content if isinstance(p, str))

    def to_wit(self) -> Any:
        if self.role not in ROLES:
            raise InvalidInputError(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")
        parts = [self.content] if isinstance(self.content, str) else list(self.content)
        if self.tool_call_id is not None and not isinstance(self.tool_call_id, str):
            raise InvalidInputError(f"tool_call_id must be a string, got {self.tool_call_id!r}")
        return record(role=self.role, content=[_part(p) for p in parts],
                      tool_calls=[ToolCall.coerce(c).to_wit() for c in self.tool_calls],
                      tool_call_id=self.tool_call_id)

    @staticmethod
    def from_wit(r: Any) -> "Message":
        parts = [_part_from_wit(p) for p in wit_field(r, "content")]
        content: Content = parts[0] if len(parts) == 1 and isinstance(parts[0], str) else "" if not parts else parts
        calls = tuple(ToolCall.from_wit(c) for c in wit_field(r, "tool_calls"))
        return Message(wit_field(r, "role"), content, calls, wit_field(r, "tool_call_id"))

    @staticmethod
    def coerce(message: Union["Message", Mapping[str, Any]]) -> "Message":
        if isinstance(message, Message):
            return message
        if isinstance(message, Mapping) and "role" in message:
            calls = message.get("tool_calls") or ()
            if isinstance(calls, (str, bytes, Mapping)) or not isinstance(calls, Sequence):
                raise InvalidInputError("tool_calls must be a list of tool calls")
            return Message(str(message["role"]), message.get("content") or "",
                           tuple(ToolCall.coerce(c) for c in calls), message.get("tool_call_id"))
        raise InvalidInputError(f"a message is a Message or a dict with 'role' and 'content', got {message!r}")


def _part(part: Any) -> Variant:
    """A content part as the WIT wants it: a variant tagged ``text``, ``image`` or ``audio``."""
    if isinstance(part, str):
        return Variant("text", part)
    if isinstance(part, Audio):
        return Variant("audio", part.data)
    if isinstance(part, Image):
        return Variant("image", part.data)
    if isinstance(part, (bytes, os.PathLike)):
        return Variant("image", Image(part).data)
    raise InvalidInputError(f"message content parts are str, Image, Audio, bytes or a path, got {type(part).__name__}")


def _part_from_wit(part: Variant) -> Union[str, Image, Audio]:
    payload: Any = part.payload
    if part.tag == "text":
        return str(payload)
    return Audio(payload) if part.tag == "audio" else Image(payload)


def messages_to_wit(messages: Sequence[Union[Message, Mapping[str, Any]]]) -> List[Any]:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise InvalidInputError("messages must be a list of messages")
    return [Message.coerce(m).to_wit() for m in messages]
