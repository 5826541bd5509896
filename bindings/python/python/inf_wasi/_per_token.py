"""The crossing every token makes into the guest, the export
`token-stream.next`, with a hand-written conversion.

wasmtime-py converts values generically: on every call it rebuilds the
function's types from the C API and walks them. `next` has a fixed type, so
its values are read and written here directly, through the same C API. The
imports each token calls (`compute`, the `tensor` resource) are not Python at
all: the native module serves them (bindings/python/src/nn_host.rs).
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable, Dict

from wasmtime import _ffi as ffi
from wasmtime.component import Func
from wasmtime.component._enter import enter_wasm
from wasmtime.component._resources import ResourceAny


def call_next(store: Any, func: Func, stream: ResourceAny) -> Any:
    """Calls `[method]token-stream.next` (`func(borrow<token-stream>) -> result<option<string>, error>`):
    the next piece, None at the end, or the error case as wasmtime-py lifts it."""
    param = ffi.wasmtime_component_val_t()
    param.kind = ffi.WASMTIME_COMPONENT_RESOURCE
    param.of.resource = ffi.wasmtime_component_resource_any_clone(stream.ptr())
    result = ffi.wasmtime_component_val_t()
    try:
        enter_wasm(lambda: ffi.wasmtime_component_func_call(
            ctypes.byref(func._func), store._context(), ctypes.byref(param), 1, ctypes.byref(result), 1
        ))
    finally:
        ffi.wasmtime_component_val_delete(ctypes.byref(param))
    if not result.of.result.is_ok:
        # Rare: the error variant goes through wasmtime-py's own conversion.
        result_type = func.type(store).result
        assert result_type is not None
        return result_type.convert_from_c(result)
    option = result.of.result.val.contents
    piece = ffi.to_str(option.of.option.contents.of.string) if option.of.option else None
    ffi.wasmtime_component_val_delete(ctypes.byref(result))
    return piece


#: Exports called through a hand-written conversion, by name.
EXPORTS: Dict[str, Callable[..., Any]] = {"[method]token-stream.next": call_next}

__all__ = ["EXPORTS"]
