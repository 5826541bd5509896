"""The component's one capability: wasi:nn, served by the native ggml backend.

Thin functions only: each converts wasmtime-py values and calls ``_native``.
The imports every token calls (``compute`` and the ``tensor`` resource) are
served by the native module itself (``_native.NativeNn``), never entering
Python; this file holds graphs, contexts and errors.
Two rules of wasmtime-py's component API shape this file: every resource handle
a host function receives must be used up (``to_host``), and an exception
raised here would poison the instance, so every function returns a wasi-nn
error resource instead of raising.
"""

from __future__ import annotations

import ctypes
import itertools
from typing import Any, Callable, Dict, List, Optional, Tuple

from wasmtime.component import Linker, ResourceHost, ResourceType, Variant

from . import _native

NN = "@0.2.0-rc-2024-10-28"
TENSOR, ERROR, GRAPH, CONTEXT = 1, 2, 3, 4


class Host:
    """The wasi:nn state of one engine: its registered graphs and live resources."""

    def __init__(
        self, graphs: Dict[str, "_native.Graph"], cancel: "_native.Cancel", nn: "_native.NativeNn", memory_cap: int
    ) -> None:
        self.graphs = graphs
        self.memory_cap = memory_cap
        #: Why the component is about to stop, in its own words: it says so
        #: through ``load-by-name`` just before it traps (docs/ggml-profile.md).
        self.last_words: Optional[str] = None
        #: Stops the generations of every context made here.
        self.cancel = cancel
        #: The natively served imports (tensors, ``compute``) and the guest's deadline.
        self.nn = nn
        #: Errors and graphs; contexts are held by ``nn``, which ``compute`` reads.
        self.tables: Dict[int, Dict[int, Any]] = {ERROR: {}, GRAPH: {}}
        self.reps = itertools.count(1)

    def own(self, kind: int, value: Any) -> ResourceHost:
        rep = next(self.reps)
        self.tables[kind][rep] = value
        return ResourceHost.own(rep, kind)

    def get(self, store: Any, kind: int, handle: Any) -> Any:
        return self.tables[kind][handle.to_host(store).rep]

    def error(self, code: str, message: str) -> ResourceHost:
        return self.own(ERROR, (code, message))

    def failure(self, e: BaseException) -> ResourceHost:
        """A Python failure inside an import, as the wasi-nn error the guest receives."""
        return self.error("runtime-error", f"{type(e).__name__}: {e}")

    def define(self, linker: Linker) -> None:
        safe = self.safe
        with linker.root() as root:
            with root.add_instance(f"wasi:nn/tensor{NN}") as i:
                self.nn.define_tensor(address(i.ptr()))
                i.add_func("[method]tensor.dimensions", lambda s, t: self.tensor(s, t)[0])
                i.add_func("[method]tensor.ty", lambda s, t: self.tensor(s, t)[1])
            with root.add_instance(f"wasi:nn/errors{NN}") as i:
                i.add_resource("error", ResourceType.host(ERROR), self.destructor(ERROR))
                i.add_func("[method]error.code", lambda s, e: self.get(s, ERROR, e)[0])
                i.add_func("[method]error.data", lambda s, e: self.get(s, ERROR, e)[1])
            with root.add_instance(f"wasi:nn/inference{NN}") as i:
                i.add_resource("graph-execution-context", ResourceType.host(CONTEXT), self.drop_context)
                self.nn.define_compute(address(i.ptr()))
            with root.add_instance(f"wasi:nn/graph{NN}") as i:
                i.add_resource("graph", ResourceType.host(GRAPH), self.destructor(GRAPH))
                i.add_func("[method]graph.init-execution-context", safe(self.init_execution_context))
                i.add_func("load", safe(self.load))
                i.add_func("load-by-name", safe(self.load_by_name))

    def destructor(self, kind: int) -> Callable[[Any, int], None]:
        return lambda store, rep: self.tables[kind].pop(rep, None) and None

    def drop_context(self, store: Any, rep: int) -> None:
        self.nn.remove_context(rep)

    def tensor(self, store: Any, handle: Any) -> Tuple[List[int], str]:
        """A tensor's dimensions and type, from the native table."""
        found = self.nn.describe(handle.to_host(store).rep)
        assert found is not None, "the guest holds no such tensor"
        dimensions, ty = found
        return dimensions, ty

    def safe(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Wraps an import so that a Python failure becomes a wasi-nn error, never an exception."""

        def call(store: Any, *args: Any) -> Any:
            try:
                return function(store, *args)
            except BaseException as e:  # noqa: BLE001 - nothing may escape into the runtime
                return Variant("err", self.failure(e))

        return call

    def load(self, store: Any, builders: List[bytes], encoding: str, target: str) -> Variant:
        message = "loading GGUF bytes is not supported yet: register models by name"
        return Variant("err", self.error("unsupported-operation", message))

    def load_by_name(self, store: Any, name: str) -> Variant:
        report = _native.abort_report(name, self.memory_cap)
        if report is not None:
            self.last_words = report
            return Variant("err", self.error("not-found", "noted"))
        graph = self.graphs.get(name)
        if graph is None:
            return Variant("err", self.error("not-found", f"failed to find graph with name: {name}"))
        return Variant("ok", self.own(GRAPH, graph))

    def init_execution_context(self, store: Any, graph: Any) -> Variant:
        context = self.get(store, GRAPH, graph).init_execution_context(self.cancel)
        rep = next(self.reps)
        self.nn.add_context(rep, context)
        return Variant("ok", ResourceHost.own(rep, CONTEXT))


def address(pointer: Any) -> int:
    """A C API pointer (a ctypes pointer) as the address the native module takes."""
    value = ctypes.cast(pointer, ctypes.c_void_p).value
    assert value is not None
    return value
