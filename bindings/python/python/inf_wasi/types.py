"""Plain Python values for the WIT records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Sequence, Union

from ._component import field as wit_field
from ._component import record
from .errors import InvalidInputError

#: A message's content: text, or a list of text and image (``bytes``) parts.
Content = Union[str, Sequence[Union[str, bytes]]]
ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    """Tokens in the prompt (for chat: the whole rendered conversation)."""
    cached_tokens: int
    """Prompt tokens reused from the KV cache instead of evaluated again."""
    completion_tokens: int


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    """``"stop"``, ``"length"`` or ``"context-full"``."""
    usage: Usage

    @staticmethod
    def from_wit(r: Any) -> "Completion":
        u = wit_field(r, "usage")
        usage = Usage(wit_field(u, "prompt_tokens"), wit_field(u, "cached_tokens"), wit_field(u, "completion_tokens"))
        return Completion(wit_field(r, "text"), wit_field(r, "finish_reason"), usage)


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
    chat_template: Optional[str]

    @staticmethod
    def from_wit(r: Any) -> "ModelInfo":
        names = ModelInfo.__dataclass_fields__
        return ModelInfo(**{name: wit_field(r, name) for name in names})


@dataclass(frozen=True)
class Message:
    role: str
    content: Content = field(default="")

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(p for p in self.content if isinstance(p, str))

    def to_wit(self) -> Any:
        if self.role not in ROLES:
            raise InvalidInputError(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")
        parts = [self.content] if isinstance(self.content, str) else list(self.content)
        for part in parts:
            if not isinstance(part, (str, bytes)):
                raise InvalidInputError(f"message content parts are str or bytes, got {type(part).__name__}")
        return record(role=self.role, content=parts)

    @staticmethod
    def from_wit(r: Any) -> "Message":
        parts = list(wit_field(r, "content"))
        content: Content = parts[0] if len(parts) == 1 and isinstance(parts[0], str) else parts
        return Message(wit_field(r, "role"), content)

    @staticmethod
    def coerce(message: Union["Message", Mapping[str, Any]]) -> "Message":
        if isinstance(message, Message):
            return message
        if isinstance(message, Mapping) and "role" in message:
            return Message(str(message["role"]), message.get("content", ""))
        raise InvalidInputError(f"a message is a Message or a dict with 'role' and 'content', got {message!r}")


def messages_to_wit(messages: Sequence[Union[Message, Mapping[str, Any]]]) -> List[Any]:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise InvalidInputError("messages must be a list of messages")
    return [Message.coerce(m).to_wit() for m in messages]
