"""inf-wasi: local LLM inference with the inference logic sandboxed in a
WebAssembly component, whose only capability is wasi:nn served by llama.cpp."""

from .aio import AsyncEngine, AsyncEventStream, AsyncSession, AsyncTokenStream
from .engine import Engine
from .errors import (
    BackendError,
    CancelledError,
    ContextOverflowError,
    InfWasiError,
    InvalidInputError,
    InvalidModelError,
    ModelNotFoundError,
    UnsupportedError,
)
from .plugin import Plugin, PluginRun
from .session import EventStream, Session, TokenStream
from .types import Audio, Completion, Image, Message, ModelInfo, Tool, ToolCall, Usage

__all__ = [
    "AsyncEngine",
    "Audio",
    "AsyncEventStream",
    "AsyncSession",
    "AsyncTokenStream",
    "BackendError",
    "CancelledError",
    "Completion",
    "ContextOverflowError",
    "Engine",
    "EventStream",
    "Image",
    "InfWasiError",
    "InvalidInputError",
    "InvalidModelError",
    "Message",
    "ModelInfo",
    "ModelNotFoundError",
    "Plugin",
    "PluginRun",
    "Session",
    "TokenStream",
    "Tool",
    "ToolCall",
    "UnsupportedError",
    "Usage",
]
