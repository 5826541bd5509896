"""``list<u8>`` across the component boundary at memory speed.

wasmtime-py (50) moves a ``list<u8>`` one byte at a time in Python: its C API
takes a list as one ``wasmtime_component_val_t`` per element, and wasmtime-py
fills (and reads) each with a Python call, so a 6 MiB camera JPEG took longer
than the component's 10 s time limit on its way in, and again on its way to the
backend as wasi-nn tensors. The C API still wants one value per byte; this fills
and reads those values with strided copies instead (the kind byte at offset 0 of
each value, the byte at the union's offset). Only ``list<u8>`` takes this path;
every other type keeps wasmtime-py's own code.
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable

from wasmtime import _ffi as ffi
from wasmtime.component import _types

_VALUE = ffi.wasmtime_component_val_t
_STRIDE = ctypes.sizeof(_VALUE)
_KIND = _VALUE.kind.offset
_BYTE = _VALUE.of.offset
_U8 = ffi.WASMTIME_COMPONENT_U8.value


def _values(first: Any, count: int) -> memoryview:
    """The ``count`` values from ``first`` on, as raw bytes."""
    block = (ctypes.c_char * (count * _STRIDE)).from_address(ctypes.addressof(first))
    return memoryview(block).cast("B")


def lower_bytes(val: bytes, c: Any) -> None:
    """Writes ``val`` as a ``list<u8>`` into the value ``c``."""
    if not isinstance(val, bytes):
        raise TypeError("expected bytes value")
    raw = ffi.wasmtime_component_vallist_t()
    ffi.wasmtime_component_vallist_new_uninit(raw, len(val))
    if val:
        values = _values(raw.data.contents, len(val))
        values[_KIND::_STRIDE] = bytes([_U8]) * len(val)
        values[_BYTE::_STRIDE] = val
    c.kind = ffi.WASMTIME_COMPONENT_LIST
    c.of.list = raw


def lift_bytes(c: Any) -> bytes:
    """The ``list<u8>`` value ``c`` as bytes; its storage is freed."""
    assert c.kind == ffi.WASMTIME_COMPONENT_LIST.value
    try:
        count = c.of.list.size
        return bytes(_values(c.of.list.data.contents, count)[_BYTE::_STRIDE]) if count else b""
    finally:
        ffi.wasmtime_component_vallist_delete(ctypes.byref(c.of.list))


def _lower(original: Callable[..., None]) -> Callable[..., None]:
    def convert_to_c(self: Any, store: Any, val: Any, ptr: Any) -> None:
        if not self._is_bytes():
            return original(self, store, val, ptr)
        lower_bytes(val, ptr.contents)

    return convert_to_c


def _lift(original: Callable[..., Any]) -> Callable[..., Any]:
    def convert_from_c(self: Any, c: Any) -> Any:
        if not self._is_bytes():
            return original(self, c)
        return lift_bytes(c)

    return convert_from_c


def install() -> None:
    """Replaces ``ListType``'s conversions once (a second call changes nothing)."""
    if getattr(_types.ListType, "_inf_wasi_byte_lists", False):
        return
    _types.ListType.convert_to_c = _lower(_types.ListType.convert_to_c)  # type: ignore[method-assign]
    _types.ListType.convert_from_c = _lift(_types.ListType.convert_from_c)  # type: ignore[method-assign]
    _types.ListType._inf_wasi_byte_lists = True  # type: ignore[attr-defined]
