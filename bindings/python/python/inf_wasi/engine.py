"""``Engine``: the models an application registered, by name."""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _native
from ._component import CONTRACT, Guards, Instance, source
from .errors import InvalidInputError, InvalidModelError
from .options import session_options
from .plugin import Plugin
from .session import MessageLike, Session
from .types import ModelInfo, messages_to_wit, read_file

PathLike = Union[str, "os.PathLike[str]"]


class Engine:
    """Registered models and the shared component.

    ``models`` maps a name to a GGUF path, or to a dict with ``path`` and load
    options (``context_size``, ``threads``, ``batch_size`` and the limits
    below). A vision model's dict also names its multimodal projector
    (``projector``, the mmproj GGUF); messages to it may then carry images,
    or audio where the projector has an audio encoder.
    Nothing is loaded until a session or call needs the model.

    ``parallel`` (default 1) lets that many sessions of a model share one
    llama.cpp context: sessions generating at the same time, on different
    threads, then have their tokens decoded together (continuous batching),
    so the machine's throughput grows with the load. ``batching`` is
    ``"exact"`` (the default: each session's output is what it would be
    alone) or ``"fast"`` (everything in one decode: more throughput, but an
    output may differ from the one alone).

    Limits (SECURITY.md): ``max_context_size`` (32768 tokens a session may ask
    for), ``max_output_tokens`` (4096 per generation), ``max_image_bytes``
    (20 MiB, for every media part), ``max_audio_seconds`` (600 per audio
    part), ``guest_memory_limit`` (512 MiB for each instance of the
    component) and ``guest_time_limit`` (10 s the component may run without
    returning or calling the backend; a chat template that loops for ever
    fails sooner, on its own instruction budget).
    """

    def __init__(
        self,
        models: Mapping[str, Union[PathLike, Mapping[str, Any]]],
        *,
        threads: Optional[int] = None,
        context_size: Optional[int] = None,
        parallel: Optional[int] = None,
        batching: Optional[str] = None,
        max_context_size: Optional[int] = None,
        max_output_tokens: Optional[int] = None,
        max_image_bytes: Optional[int] = None,
        max_audio_seconds: Optional[int] = None,
        guest_memory_limit: Optional[int] = None,
        guest_time_limit: Optional[float] = None,
    ) -> None:
        self._guards = _guards(guest_memory_limit, guest_time_limit)
        self._graphs: Dict[str, Any] = {}
        for name, spec in models.items():
            options: Dict[str, Any] = {
                "threads": threads,
                "context_size": context_size,
                "parallel": parallel,
                "batching": batching,
                "max_context_size": max_context_size,
                "max_output_tokens": max_output_tokens,
                "max_image_bytes": max_image_bytes,
                "max_audio_seconds": max_audio_seconds,
            }
            if isinstance(spec, Mapping):
                options.update({k: v for k, v in spec.items() if k != "path"})
                if options.get("projector") is not None:
                    options["projector"] = os.fspath(options["projector"])
                spec = spec["path"]
            if not isinstance(name, str) or not name:
                raise InvalidInputError("model names must be non-empty strings")
            try:
                self._graphs[name] = _native.Graph(name, os.fspath(spec), **options)
            except (ValueError, TypeError, OverflowError) as e:
                raise InvalidInputError(f"model {name!r}: {e}") from None
        self._utility: Optional[Instance] = None
        self._utility_models: Dict[str, Any] = {}
        self._lock = threading.Lock()
        self._closed = False
        # Sessions made here, closed with the engine (as in every binding); weak,
        # so a session the application dropped is freed as usual.
        self._sessions: "weakref.WeakSet[Session]" = weakref.WeakSet()

    @classmethod
    def from_file(cls, path: PathLike, **options: Any) -> "Engine":
        """An engine for the model packed in ``path`` (``inf-wasi pack``: one ``.wasm``
        holding the component and the model), registered under the name it was
        packed with (``model_names``); ``options`` as for ``Engine(...)``. The
        weights are mapped from the file where they lie, after their hash and
        the GGUF check; a file that is not a packed model is an InvalidModelError."""
        try:
            name, component = _native.packed_model(os.fspath(path))
        except ValueError as e:
            raise InvalidModelError(str(e)) from None
        if component != source():
            raise InvalidModelError(f"{os.fspath(path)} holds another build of the inf-wasi component than this package's; pack it again with this version")
        return cls({name: {"path": path, "packed": True}}, **options)

    @property
    def model_names(self) -> List[str]:
        """The names of the registered models, sorted."""
        return sorted(self._graphs)

    def session(self, model: str, *, context_size: Optional[int] = None, system_prompt: Optional[str] = None) -> Session:
        """A new conversation with ``model``."""
        self._check_open()
        instance = Instance(self._graphs, self._guards)
        handle = instance.call("[static]model.open", model)
        try:
            session = instance.call("[method]model.new-session", handle, session_options(context_size, system_prompt))
        finally:
            instance.drop(handle)
        opened = Session(instance, session)
        with self._lock:
            self._sessions.add(opened)
        return opened

    def plugin(self, plugin: Union[PathLike, bytes]) -> Plugin:
        """The plugin in the component file at ``plugin`` (a path, or the file's bytes),
        composed with this engine: it may open the engine's models, and nothing else.
        A file that is not a plugin, or one that imports more than the engine and WASI
        0.2, is an InvalidInputError naming why."""
        self._check_open()
        data = plugin if isinstance(plugin, bytes) else read_file(plugin, "plugin")
        return Plugin(self._graphs, self._guards, data)

    def model_info(self, model: str) -> ModelInfo:
        return ModelInfo.from_wit(self._model_call(model, "info"))

    def tokenize(self, model: str, text: str, add_special: bool = True) -> List[int]:
        return list(self._model_call(model, "tokenize", text, add_special))

    def tokenize_chat(self, model: str, messages: Sequence[MessageLike]) -> List[int]:
        """The token ids ``messages`` make as a chat: rendered with the model's chat template,
        ending with the assistant's opening, as a new session's ``chat`` reads them. Message
        text never becomes control tokens (a user's ``<end_of_turn>`` stays text). Text only."""
        return list(self._model_call(model, "tokenize-chat", messages_to_wit(messages)))

    def detokenize(self, model: str, tokens: List[int]) -> str:
        return str(self._model_call(model, "detokenize", list(tokens)))

    def embed(self, model: str, texts: Union[str, List[str]]) -> List[List[float]]:
        """One mean-pooled, L2-normalised vector per text."""
        batch = [texts] if isinstance(texts, str) else list(texts)
        return [list(v) for v in self._model_call(model, "embed", batch)]

    def _model_call(self, model: str, method: str, *args: Any) -> Any:
        self._check_open()
        with self._lock:
            if self._utility is None or self._utility.broken is not None:
                self._utility = Instance(self._graphs, self._guards)
                self._utility_models = {}
            utility = self._utility
            handle = self._utility_models.get(model)
            if handle is None:
                handle = self._utility_models[model] = utility.call("[static]model.open", model)
            return utility.call(f"[method]model.{method}", handle, *args)

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidInputError("the engine is closed")

    def close(self) -> None:
        """Closes every session made here and releases the engine's own instance.
        Calls on a closed engine or its sessions raise ``InvalidInputError``."""
        with self._lock:
            self._closed = True
            self._utility = None
            self._utility_models = {}
            sessions = list(self._sessions)
        for session in sessions:
            session.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _guards(memory: Optional[int], seconds: Optional[float]) -> Guards:
    """The engine's guards, within the bounds every host shares (bindings/guards.json)."""
    guards = Guards()
    low, high = CONTRACT["memory_bytes"]["min"], CONTRACT["memory_bytes"]["max"]
    if memory is not None:
        if isinstance(memory, bool) or not isinstance(memory, int) or not low <= memory <= high:
            raise InvalidInputError(f"guest_memory_limit must be a whole number of bytes from {low} to {high}, got {memory!r}")
        guards = Guards(memory, guards.time_seconds)
    low, high = CONTRACT["time_ms"]["min"] / 1000, CONTRACT["time_ms"]["max"] / 1000
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not low <= seconds <= high:
            raise InvalidInputError(f"guest_time_limit must be a number of seconds from {low:g} to {high:g}, got {seconds!r}")
        guards = Guards(guards.memory_bytes, float(seconds))
    return guards
