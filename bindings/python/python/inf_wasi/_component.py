"""The typed adapter over wasmtime-py's component API.

Everything wasmtime-py-specific lives here: compiling the component once,
instantiating it per store, calling exports by name, and the value shapes
(records with kebab-case attributes, results that come back bare or as a
``Variant`` depending on their case types, content parts as bare ``str`` or
``bytes``). The rest of the package sees plain Python values and exceptions.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any, Dict, Optional

import wasmtime
from wasmtime.component import Component, Linker, Record, ResourceAny, Variant

from . import _native
from ._wasi_nn import Host
from .errors import BackendError, InfWasiError, from_code

API = "inf:wasi/inference@0.1.0"

_lock = threading.Lock()
_runtime: Optional["tuple[wasmtime.Engine, Component]"] = None
#: Whether this process loaded the precompiled component (else it compiled it).
precompiled = False


def _load(engine: wasmtime.Engine) -> Component:
    global precompiled
    package = resources.files("inf_wasi")
    try:
        # Compiled when the wheel was built, by the wasmtime-py version this package
        # pins; it is package data, trusted like the native module beside it.
        component = Component.deserialize(engine, package.joinpath("inf_wasi.cwasm").read_bytes())
        precompiled = True
        return component
    except (FileNotFoundError, wasmtime.WasmtimeError):
        # Another wasmtime build or a CPU without the same features: compile here (about a second).
        return Component(engine, package.joinpath("inf_wasi.wasm").read_bytes())


def runtime() -> "tuple[wasmtime.Engine, Component]":
    """The wasmtime engine and the component, shared by the process."""
    global _runtime
    with _lock:
        if _runtime is None:
            engine = wasmtime.Engine()
            _runtime = (engine, _load(engine))
        return _runtime


def record(**fields: Any) -> Record:
    """A WIT record; ``snake_case`` keyword names become the WIT's kebab-case fields."""
    r = Record()
    for name, value in fields.items():
        setattr(r, name.replace("_", "-"), value)
    return r


def field(r: Any, name: str) -> Any:
    return getattr(r, name.replace("_", "-"))


def unwrap(result: Any) -> Any:
    """An export's ``result<T, error>``: the error case arrives as a ``Variant``."""
    if isinstance(result, Variant):
        raise from_code(result.tag, str(result.payload))
    return result


class Instance:
    """One instance of the component in its own store, with a lock: a store is
    not thread-safe, and each session owns one."""

    def __init__(self, graphs: Dict[str, "_native.Graph"]) -> None:
        engine, component = runtime()
        self.lock = threading.RLock()
        self.store = wasmtime.Store(engine)
        linker = Linker(engine)
        Host(graphs).define(linker)
        self.instance = linker.instantiate(self.store, component)
        self.interface = self.instance.get_export_index(self.store, API)
        self.funcs: Dict[str, Any] = {}
        self.broken: Optional[str] = None

    def call(self, name: str, *args: Any) -> Any:
        """Calls an export such as ``[method]session.complete`` and unwraps its result."""
        with self.lock:
            if self.broken is not None:
                raise BackendError(f"this session failed earlier and cannot be used: {self.broken}")
            func = self.funcs.get(name)
            if func is None:
                index = self.instance.get_export_index(self.store, name, self.interface)
                func = self.funcs[name] = self.instance.get_func(self.store, index)
            try:
                result = func(self.store, *args)
            except InfWasiError:
                raise
            except (TypeError, ValueError, OverflowError) as e:
                # Rejected while converting arguments, before entering the component.
                from .errors import InvalidInputError

                raise InvalidInputError(str(e)) from None
            except wasmtime.WasmtimeError as e:
                # A trap leaves the instance unusable; say so on every later call.
                self.broken = str(e)
                raise BackendError(f"the component failed: {e}") from None
            return unwrap(result)

    def drop(self, handle: Optional[ResourceAny]) -> None:
        if handle is None or self.broken is not None:
            return
        with self.lock:
            try:
                handle.drop(self.store)
            except wasmtime.WasmtimeError:
                pass
