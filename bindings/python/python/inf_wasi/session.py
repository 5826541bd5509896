"""``Session``: one conversation, in its own instance of the component."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Type, TypeVar, Union, overload

from . import _typed
from ._component import Instance
from .options import generate_options
from .types import Completion, Message, ToolCall, messages_to_wit

MessageLike = Union[Message, Mapping[str, Any]]
T = TypeVar("T")


class TokenStream:
    """Text pieces as they are generated (whole UTF-8 characters).

    After the last piece, ``completion`` has the finish reason, usage and any tool calls.
    """

    _NEXT = "[method]token-stream.next"

    def __init__(self, instance: Instance, handle: Any) -> None:
        self._instance = instance
        self._handle: Optional[Any] = handle
        self.completion: Optional[Completion] = None

    def __iter__(self) -> "TokenStream":
        return self

    def _advance(self) -> Any:
        """The stream's next item as the component gives it; ``StopIteration`` at the end."""
        if self._handle is None:
            raise StopIteration
        try:
            item = self._instance.call(self._NEXT, self._handle)
        except BaseException:
            self.close()
            raise
        if item is None:
            outcome = self._instance.call("[method]token-stream.outcome", self._handle)
            self.completion = Completion.from_wit(outcome) if outcome is not None else None
            self.close()
            raise StopIteration
        return item

    def __next__(self) -> str:
        return str(self._advance())

    def close(self) -> None:
        handle, self._handle = self._handle, None
        self._instance.drop(handle)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


class EventStream(TokenStream):
    """Text pieces (``str``) and, once each is whole, the model's tool calls (``ToolCall``)."""

    _NEXT = "[method]token-stream.next-event"

    def __next__(self) -> Union[str, ToolCall]:  # type: ignore[override]
        item = self._advance()
        return item if isinstance(item, str) else ToolCall.from_wit(item)


class Session:
    """A conversation with its own KV cache over a model's shared weights.

    Safe to share between threads (calls are serialised); two sessions on two
    threads generate at the same time.
    """

    def __init__(self, instance: Instance, handle: Any) -> None:
        self._instance = instance
        self._handle: Optional[Any] = handle

    def _call(self, method: str, *args: Any) -> Any:
        if self._handle is None:
            from .errors import InvalidInputError

            raise InvalidInputError("the session is closed")
        return self._instance.call(f"[method]session.{method}", self._handle, *args)

    def _start(self, method: str, *args: Any) -> Any:
        """A new generation: a cancel aimed at an earlier one must not stop it."""
        self._instance.cancel.clear()
        return self._call(method, *args)

    def cancel(self) -> None:
        """Stops the generation running now, from any thread: it raises ``CancelledError``
        within milliseconds, and the session stays usable. Does nothing when none runs."""
        self._instance.cancel.cancel()

    @overload
    def complete(self, prompt: str, *, schema: None = None, **options: Any) -> Completion: ...

    @overload
    def complete(self, prompt: str, *, schema: Type[T], **options: Any) -> T: ...

    def complete(self, prompt: str, *, schema: Optional[Type[Any]] = None, **options: Any) -> Any:
        """Raw completion of ``prompt`` (no chat template).

        Options: ``max_tokens`` (256), ``stop`` (str or list), ``temperature`` (0.8; 0 is
        greedy), ``top_k`` (40), ``top_p`` (0.95), ``min_p`` (0.05), ``repeat_penalty`` (1.0),
        ``repeat_last_n`` (64), ``seed`` (random), ``grammar`` (GBNF) or ``json_schema``
        (a dict or a JSON string). With ``schema``, a Pydantic model class, the answer
        follows its JSON schema and comes back as an instance of it. Chat also takes
        ``tools`` (``Tool`` or OpenAI's dicts), ``tool_choice`` (``"auto"``, ``"none"``,
        ``"required"`` or ``{"function": NAME}``) and ``parallel_tool_calls`` (True).
        """
        if schema is not None:
            options["json_schema"] = _typed.json_schema_of(schema)
        completion = Completion.from_wit(self._start("complete", prompt, generate_options(**options)))
        return completion if schema is None else _typed.parsed(schema, completion)

    def stream(self, prompt: str, **options: Any) -> TokenStream:
        """Like ``complete``, piece by piece."""
        return TokenStream(self._instance, self._start("complete-stream", prompt, generate_options(**options)))

    @overload
    def chat(self, messages: Sequence[MessageLike], *, schema: None = None, **options: Any) -> Completion: ...

    @overload
    def chat(self, messages: Sequence[MessageLike], *, schema: Type[T], **options: Any) -> T: ...

    def chat(self, messages: Sequence[MessageLike], *, schema: Optional[Type[Any]] = None, **options: Any) -> Any:
        """Adds ``messages`` (``{"role": ..., "content": ...}`` or ``Message``) to the conversation
        and generates the reply, which joins it. Only new tokens are evaluated. ``schema``
        as for ``complete``."""
        if schema is not None:
            options["json_schema"] = _typed.json_schema_of(schema)
        completion = Completion.from_wit(self._start("chat", messages_to_wit(messages), generate_options(**options)))
        return completion if schema is None else _typed.parsed(schema, completion)

    def chat_stream(self, messages: Sequence[MessageLike], **options: Any) -> TokenStream:
        return TokenStream(self._instance, self._start("chat-stream", messages_to_wit(messages), generate_options(**options)))

    def chat_events(self, messages: Sequence[MessageLike], **options: Any) -> EventStream:
        """Like ``chat_stream``, with each tool call the model makes (a ``ToolCall``) once it is whole."""
        return EventStream(self._instance, self._start("chat-stream", messages_to_wit(messages), generate_options(**options)))

    @property
    def history(self) -> List[Message]:
        return [Message.from_wit(m) for m in self._call("history")]

    def reset(self) -> None:
        """Forgets the conversation (keeping the system prompt) and clears the KV cache."""
        self._call("reset")

    def close(self) -> None:
        handle, self._handle = self._handle, None
        self._instance.drop(handle)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
