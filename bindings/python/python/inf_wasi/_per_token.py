"""The crossings every token makes, with hand-written conversions: the export
`token-stream.next`, and the wasi-nn imports it calls (the `tensor`
constructor, `compute`, `tensor.data`).

wasmtime-py converts values generically: on every call it rebuilds the
function's types from the C API and walks them (lowering `compute`'s
`result<list<tuple<string, tensor>>, error>` alone took 181 µs, about 1.5% of
a token at two threads). These functions have fixed types, so their values are
read and written here directly, through the same C API and the same
conventions as wasmtime-py's own conversions (a value taken out of an argument
is marked moved before the argument's storage is freed). Everything else keeps
wasmtime-py's code.
"""

from __future__ import annotations

import ctypes
import itertools
from typing import Any, Callable, Dict, List, Tuple

from wasmtime import WasmtimeError
from wasmtime import _ffi as ffi
from wasmtime.component import LinkerInstance, ResourceHost
from wasmtime.component import Func
from wasmtime.component._enter import catch_exceptions, enter_wasm
from wasmtime.component._resources import ResourceAny

from ._byte_lists import lift_bytes, lower_bytes

#: (store, args, results) -> None, by the index the C API hands back.
Handler = Callable[[Any, Any, Any], None]
_HANDLERS: Dict[int, Handler] = {}
_NEXT = itertools.count(1)


@ffi.wasmtime_component_func_callback_t
def _trampoline(index, context, ty, args, nargs, results, nresults):  # type: ignore[no-untyped-def]
    handler = _HANDLERS[index or 0]
    return catch_exceptions(context, lambda store: handler(store, args, results))


@ctypes.CFUNCTYPE(None, ctypes.c_void_p)
def _finalize(index):  # type: ignore[no-untyped-def]
    _HANDLERS.pop(index or 0, None)


def add_func(instance: LinkerInstance, name: str, handler: Handler) -> None:
    """Defines ``name`` in ``instance`` with ``handler`` converting its own values."""
    index = next(_NEXT)
    _HANDLERS[index] = handler
    encoded = name.encode("utf-8")
    error = ffi.wasmtime_component_linker_instance_add_func(
        instance.ptr(), ctypes.create_string_buffer(encoded), len(encoded), _trampoline, index, _finalize
    )
    if error:
        raise WasmtimeError._from_ptr(error)


def moved(c: Any) -> None:
    """Marks a value whose contents were taken: freeing its container leaves them alone."""
    c.kind = ffi.WASMTIME_COMPONENT_BOOL
    c.of.boolean = False


def lift_string(c: Any) -> str:
    text = ffi.to_str(c.of.string)
    ffi.wasm_byte_vec_delete(ctypes.byref(c.of.string))
    moved(c)
    return text


def lift_enum(c: Any) -> str:
    text = ffi.to_str(c.of.enumeration)
    ffi.wasm_byte_vec_delete(ctypes.byref(c.of.enumeration))
    moved(c)
    return text


def lift_u32s(c: Any) -> List[int]:
    values = c.of.list
    out = [values.data[i].of.u32 for i in range(values.size)]
    ffi.wasmtime_component_vallist_delete(ctypes.byref(values))
    return out


def lift_rep(store: Any, c: Any) -> int:
    """A host resource's rep; an owned handle moves out of wasmtime (its destructor will not run)."""
    handle = ResourceAny._from_ptr(ffi.take_pointer(c.of, "resource"))
    moved(c)
    return int(handle.to_host(store).rep)


def lower_own(store: Any, handle: ResourceHost, c: Any) -> None:
    c.kind = ffi.WASMTIME_COMPONENT_RESOURCE
    c.of.resource = handle.to_any(store)._consume()


def lift_named_reps(store: Any, c: Any) -> List[Tuple[str, int]]:
    """A ``list<tuple<string, own<R>>>``: each name and resource rep."""
    items = c.of.list
    out = []
    for i in range(items.size):
        pair = items.data[i]
        fields = pair.of.tuple
        out.append((lift_string(fields.data[0]), lift_rep(store, fields.data[1])))
        ffi.wasmtime_component_valtuple_delete(ctypes.byref(fields))
        moved(pair)
    ffi.wasmtime_component_vallist_delete(ctypes.byref(items))
    return out


def lower_named_owns(store: Any, named: List[Tuple[str, ResourceHost]], c: Any) -> None:
    """Writes a ``list<tuple<string, own<R>>>``."""
    items = ffi.wasmtime_component_vallist_t()
    ffi.wasmtime_component_vallist_new_uninit(items, len(named))
    for i, (name, handle) in enumerate(named):
        fields = ffi.wasmtime_component_valtuple_t()
        ffi.wasmtime_component_valtuple_new_uninit(fields, 2)
        fields.data[0].kind = ffi.WASMTIME_COMPONENT_STRING
        fields.data[0].of.string = ffi.str_to_capi(name)
        lower_own(store, handle, fields.data[1])
        items.data[i].kind = ffi.WASMTIME_COMPONENT_TUPLE
        items.data[i].of.tuple = fields
    c.kind = ffi.WASMTIME_COMPONENT_LIST
    c.of.list = items


def lower_result(ok: bool, lower_payload: Callable[[Any], None], c: Any) -> None:
    """Writes a ``result<T, E>`` whose payload ``lower_payload`` writes."""
    payload = ffi.wasmtime_component_val_t()
    lower_payload(payload)
    c.kind = ffi.WASMTIME_COMPONENT_RESULT
    c.of.result.is_ok = ok
    c.of.result.val = ffi.wasmtime_component_val_new(ctypes.byref(payload))


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

__all__ = ["EXPORTS", "add_func", "lift_bytes", "lower_bytes"]
