"""The asyncio flavour: the same API, awaitable, never blocking the event loop
(each call runs on a worker thread; native work releases the GIL)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, List, Optional, Sequence, Type, TypeVar, Union, overload

from .engine import Engine
from .session import EventStream, MessageLike, Session, TokenStream
from .types import Completion, Message, ModelInfo, ToolCall

T = TypeVar("T")

_END = object()


class AsyncTokenStream:
    """Text pieces as they are generated, awaited one by one; after the last,
    ``completion`` has the finish reason and usage (as ``TokenStream``)."""

    def __init__(self, make: Callable[[], TokenStream]) -> None:
        self._make = make
        self._stream: Optional[TokenStream] = None
        self.completion: Optional[Completion] = None

    def __aiter__(self) -> "AsyncTokenStream":
        return self

    async def _advance(self) -> Any:
        if self._stream is None:
            self._stream = await asyncio.to_thread(self._make)
        try:
            item: object = await asyncio.to_thread(next, self._stream, _END)
        except BaseException:
            await self.aclose()
            raise
        if item is _END:
            self.completion = self._stream.completion
            raise StopAsyncIteration
        return item

    async def __anext__(self) -> str:
        return str(await self._advance())

    async def aclose(self) -> None:
        """Ends the generation early (as leaving an ``async for`` loop does not)."""
        if self._stream is not None:
            await asyncio.to_thread(self._stream.close)


class AsyncEventStream(AsyncTokenStream):
    """Text pieces (``str``) and each tool call (``ToolCall``) once it is whole, awaited one by one."""

    def __init__(self, make: Callable[[], EventStream]) -> None:
        super().__init__(make)

    async def __anext__(self) -> Union[str, ToolCall]:  # type: ignore[override]
        item = await self._advance()
        assert isinstance(item, (str, ToolCall))
        return item


class AsyncSession:
    def __init__(self, session: Session) -> None:
        self.sync = session

    @overload
    async def complete(self, prompt: str, *, schema: None = None, **options: Any) -> Completion: ...

    @overload
    async def complete(self, prompt: str, *, schema: Type[T], **options: Any) -> T: ...

    async def complete(self, prompt: str, *, schema: Optional[Type[Any]] = None, **options: Any) -> Any:
        return await asyncio.to_thread(lambda: self.sync.complete(prompt, schema=schema, **options))

    def stream(self, prompt: str, **options: Any) -> AsyncTokenStream:
        return AsyncTokenStream(lambda: self.sync.stream(prompt, **options))

    @overload
    async def chat(self, messages: Sequence[MessageLike], *, schema: None = None, **options: Any) -> Completion: ...

    @overload
    async def chat(self, messages: Sequence[MessageLike], *, schema: Type[T], **options: Any) -> T: ...

    async def chat(self, messages: Sequence[MessageLike], *, schema: Optional[Type[Any]] = None, **options: Any) -> Any:
        return await asyncio.to_thread(lambda: self.sync.chat(messages, schema=schema, **options))

    def chat_stream(self, messages: Sequence[MessageLike], **options: Any) -> AsyncTokenStream:
        return AsyncTokenStream(lambda: self.sync.chat_stream(messages, **options))

    def chat_events(self, messages: Sequence[MessageLike], **options: Any) -> AsyncEventStream:
        return AsyncEventStream(lambda: self.sync.chat_events(messages, **options))

    async def history(self) -> List[Message]:
        """The conversation so far, system prompt and images included."""
        return await asyncio.to_thread(lambda: self.sync.history)

    async def reset(self) -> None:
        await asyncio.to_thread(self.sync.reset)

    def cancel(self) -> None:
        """Stops the running generation (which raises ``CancelledError``); safe from any thread."""
        self.sync.cancel()

    async def close(self) -> None:
        await asyncio.to_thread(self.sync.close)

    async def __aenter__(self) -> "AsyncSession":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class AsyncEngine:
    """``Engine`` with awaitable calls: ``await AsyncEngine(models).session("name")``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sync = Engine(*args, **kwargs)

    async def session(self, model: str, **options: Any) -> AsyncSession:
        return AsyncSession(await asyncio.to_thread(self.sync.session, model, **options))

    async def embed(self, model: str, texts: Any) -> List[List[float]]:
        return await asyncio.to_thread(self.sync.embed, model, texts)

    async def tokenize(self, model: str, text: str, add_special: bool = True) -> List[int]:
        return await asyncio.to_thread(self.sync.tokenize, model, text, add_special)

    async def tokenize_chat(self, model: str, messages: Sequence[MessageLike]) -> List[int]:
        return await asyncio.to_thread(self.sync.tokenize_chat, model, messages)

    async def detokenize(self, model: str, tokens: List[int]) -> str:
        return await asyncio.to_thread(self.sync.detokenize, model, tokens)

    async def model_info(self, model: str) -> ModelInfo:
        return await asyncio.to_thread(self.sync.model_info, model)

    async def close(self) -> None:
        """Closes every session made here (as ``Engine.close``)."""
        await asyncio.to_thread(self.sync.close)

    async def __aenter__(self) -> "AsyncEngine":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
