"""The asyncio flavour: the same API, awaitable, never blocking the event loop
(each call runs on a worker thread; native work releases the GIL)."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, List, Sequence

from .engine import Engine
from .session import MessageLike, Session, TokenStream
from .types import Completion, ModelInfo

_END = object()


async def _pieces(make: Any) -> AsyncIterator[str]:
    stream: TokenStream = await asyncio.to_thread(make)
    try:
        while True:
            piece: object = await asyncio.to_thread(next, stream, _END)
            if not isinstance(piece, str):
                return
            yield piece
    finally:
        await asyncio.to_thread(stream.close)


class AsyncSession:
    def __init__(self, session: Session) -> None:
        self.sync = session

    async def complete(self, prompt: str, **options: Any) -> Completion:
        return await asyncio.to_thread(self.sync.complete, prompt, **options)

    def stream(self, prompt: str, **options: Any) -> AsyncIterator[str]:
        return _pieces(lambda: self.sync.stream(prompt, **options))

    async def chat(self, messages: Sequence[MessageLike], **options: Any) -> Completion:
        return await asyncio.to_thread(self.sync.chat, messages, **options)

    def chat_stream(self, messages: Sequence[MessageLike], **options: Any) -> AsyncIterator[str]:
        return _pieces(lambda: self.sync.chat_stream(messages, **options))

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

    async def model_info(self, model: str) -> ModelInfo:
        return await asyncio.to_thread(self.sync.model_info, model)

    async def __aenter__(self) -> "AsyncEngine":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.sync.close()
