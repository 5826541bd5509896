"""The typed adapter over wasmtime-py's component API.

Everything wasmtime-py-specific lives here: compiling the component once,
instantiating it per store, calling exports by name, and the value shapes
(records with kebab-case attributes, results that come back bare or as a
``Variant`` depending on their case types, content parts as bare ``str`` or
``bytes``). The rest of the package sees plain Python values and exceptions.
"""

from __future__ import annotations

import ctypes
import json
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any, Dict, List, Optional

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime.component import Component, Linker, Record, ResourceAny, Variant

from . import _byte_lists, _native, _per_token
from ._wasi_nn import TENSOR, Host, address
from .errors import BackendError, CancelledError, InfWasiError, from_code

_byte_lists.install()

API = "inf:wasi/inference@0.1.0"

_lock = threading.Lock()
_runtime: Optional["tuple[wasmtime.Engine, Component]"] = None
#: Whether this process loaded the precompiled component (else it compiled it).
precompiled = False


def source() -> bytes:
    """The component this package runs, as built (before precompiling)."""
    return resources.files("inf_wasi").joinpath("inf_wasi.wasm").read_bytes()


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


#: The guards' defaults and bounds, which every host applies alike
#: (bindings/guards.json in the repository; docs/host-contract.md).
CONTRACT: Dict[str, Any] = json.loads(resources.files("inf_wasi").joinpath("guards.json").read_text())

#: How often the engine's epoch advances: the resolution of the guest deadline.
TICK: float = CONTRACT["tick_ms"] / 1000


def config() -> wasmtime.Config:
    """The engine's settings; ci/python.sh precompiles with the same, or the
    precompiled code would not load."""
    c = wasmtime.Config()
    c.epoch_interruption = True
    return c


class _Ticker:
    """Advances the engine's epoch every ``TICK`` while any call into the
    component runs, which is what lets a store's deadline stop guest code. One
    native thread for the process (``_native.EpochClock``), waiting (no
    wake-ups) while nothing runs, and never waiting for the GIL."""

    def __init__(self, engine: wasmtime.Engine) -> None:
        #: The engine's epoch, counted natively too (under one lock with the
        #: engine's), so a host can tell that a store's deadline has passed.
        self.clock = _native.EpochClock(address(engine.ptr()), TICK)

    def __enter__(self) -> None:
        self.clock.enter()

    def __exit__(self, *exc: Any) -> None:
        self.clock.leave()


_ticker: Optional[_Ticker] = None


def value_layout() -> "tuple[int, List[int]]":
    """What wasmtime-py declares for component values: their size, and the kind
    numbers the native imports read (in the order ``_native.use_wasmtime`` takes)."""
    kinds = [ffi.WASMTIME_COMPONENT_U8, ffi.WASMTIME_COMPONENT_U32, ffi.WASMTIME_COMPONENT_STRING]
    kinds += [ffi.WASMTIME_COMPONENT_LIST, ffi.WASMTIME_COMPONENT_TUPLE, ffi.WASMTIME_COMPONENT_ENUM]
    kinds += [ffi.WASMTIME_COMPONENT_RESULT, ffi.WASMTIME_COMPONENT_RESOURCE]
    return ctypes.sizeof(ffi.wasmtime_component_val_t), [k.value for k in kinds]


def runtime() -> "tuple[wasmtime.Engine, Component]":
    """The wasmtime engine and the component, shared by the process."""
    global _runtime, _ticker
    with _lock:
        if _runtime is None:
            # The native module serves the per-token imports through the C API of
            # the library wasmtime-py loaded, after checking its value layout.
            _native.use_wasmtime(ffi.dll._handle, *value_layout())
            engine = wasmtime.Engine(config())
            _runtime = (engine, _load(engine))
            _ticker = _Ticker(engine)
        return _runtime


def ticker() -> _Ticker:
    """The process's epoch ticker."""
    runtime()
    assert _ticker is not None
    return _ticker


def busy() -> _Ticker:
    """Held (``with busy():``) while a call into the component runs."""
    return ticker()


@dataclass(frozen=True)
class Guards:
    """The component's limits: its memory, and how long it may run without
    returning or calling wasi-nn (decoding time does not count)."""

    memory_bytes: int = CONTRACT["memory_bytes"]["default"]
    time_seconds: float = CONTRACT["time_ms"]["default"] / 1000

    @property
    def ticks(self) -> int:
        return max(1, round(self.time_seconds / TICK))


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

    def __init__(
        self,
        graphs: Dict[str, "_native.Graph"],
        guards: Guards = Guards(),
        component: Optional[Component] = None,
        interface: Optional[str] = API,
        wasi: Optional[wasmtime.WasiConfig] = None,
    ) -> None:
        """``component`` and ``interface`` (whose functions ``call`` finds; ``None``
        for the top level) are for plugins and the tests' probes; the default is
        ours. ``wasi`` (plugins only) is linked besides wasi:nn."""
        engine, ours = runtime()
        self.lock = threading.RLock()
        self.guards = guards
        self.store = wasmtime.Store(engine)
        self.store.set_limits(memory_size=guards.memory_bytes)
        #: The natively served imports, which also hold the guest's deadline.
        self.nn = _native.NativeNn(ticker().clock, guards.ticks, TENSOR)
        self._rearm()
        #: Raised from any thread to stop this instance's generation.
        self.cancel = _native.Cancel()
        linker = Linker(engine)
        self.host = Host(graphs, self.cancel, self.nn, guards.memory_bytes)
        self.host.define(linker)
        if wasi is not None:
            linker.add_wasip2()
            self.store.set_wasi(wasi)
        try:
            with busy():
                self.instance = linker.instantiate(self.store, component or ours)
        except wasmtime.WasmtimeError as e:
            # Only wasi:nn is linked: a component that imports anything else lands here.
            raise BackendError(
                f"the component was refused: {e}; inf-wasi grants a component wasi:nn and nothing else"
            ) from None
        self.interface = None
        if interface is not None:
            self.interface = self.instance.get_export_index(self.store, interface)
            if self.interface is None:
                raise BackendError(f"the component does not export {interface}")
        self.funcs: Dict[str, Any] = {}
        self.broken: Optional[str] = None

    def _rearm(self) -> None:
        """The guest's time starts afresh whenever it enters or comes back from wasi-nn
        (``compute`` rearms it natively)."""
        self.nn.arm(address(self.store._context()))

    def _stopped(self, e: wasmtime.WasmtimeError) -> InfWasiError:
        """The error for a trap, by its cause: wasmtime-py gives a component
        call's trap as text only, so the cause is what the host itself knows."""
        if self.host.last_words is not None:
            # The component said why just before it trapped: a panic, or its memory cap.
            return BackendError(self.host.last_words)
        if self.nn.deadline_passed():
            return CancelledError(
                f"the component ran for more than {self.guards.time_seconds:g} s without returning "
                "and was stopped"
            )
        return BackendError(f"the component failed: {e}")

    def call(self, name: str, *args: Any, unwrapped: bool = True) -> Any:
        """Calls an export such as ``[method]session.complete`` and unwraps its
        result (``unwrapped=False``: returns it as it came, for other WIT results)."""
        with self.lock:
            if self.broken is not None:
                raise BackendError(f"this session failed earlier and cannot be used: {self.broken}")
            func = self.funcs.get(name)
            if func is None:
                index = self.instance.get_export_index(self.store, name, self.interface)
                found = self.instance.get_func(self.store, index) if index is not None else None
                if found is None:
                    raise BackendError(f"the component does not export {name}")
                func = self.funcs[name] = found
            self._rearm()
            fast = _per_token.EXPORTS.get(name) if self.interface is not None else None
            try:
                with busy():
                    result = fast(self.store, func, *args) if fast else func(self.store, *args)
            except InfWasiError:
                raise
            except (TypeError, ValueError, OverflowError) as e:
                # Rejected while converting arguments, before entering the component.
                from .errors import InvalidInputError

                raise InvalidInputError(str(e)) from None
            except wasmtime.WasmtimeError as e:
                # A trap leaves the instance unusable; say so on every later call.
                error = self._stopped(e)
                self.broken = str(error)
                raise error from None
            return unwrap(result) if unwrapped else result

    def drop(self, handle: Optional[ResourceAny]) -> None:
        if handle is None or self.broken is not None:
            return
        with self.lock:
            try:
                handle.drop(self.store)
            except wasmtime.WasmtimeError:
                pass
