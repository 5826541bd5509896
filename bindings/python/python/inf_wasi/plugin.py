"""Plugins: components of inf-wasi's ``plugin`` world, whose one capability is
the model. A plugin is composed with the engine component (natively, as every
host does), compiled once, and run in a fresh instance per call: it shares the
engine's models and limits, and each call gets its own sessions. WASI, which
CPython plugins import, has nothing behind it: no directories, no network, no
environment or arguments, stdin closed, stdout and stderr captured (1 MiB each)."""

from __future__ import annotations

import contextlib
import errno
import os
from dataclasses import dataclass
from typing import Dict, List, Optional

import wasmtime
from wasmtime.component import Component, Variant

from . import _native
from ._component import Guards, Instance, runtime, source
from .errors import InvalidInputError

#: The interface a plugin exports, whose ``run`` a host calls.
HANDLER = "inf:wasi/handler@0.1.0"
#: The most a call may write to stdout, and to stderr; past it the write fails.
OUTPUT_CAP = 1 << 20


@dataclass(frozen=True)
class PluginRun:
    """What one call of a plugin gave back: its answer, or its own error message
    (then ``output`` is None), and what it wrote to stdout and stderr."""

    output: Optional[str]
    error: Optional[str]
    stdout: bytes
    stderr: bytes


class _Captured:
    """A stream's bytes, up to ``OUTPUT_CAP``; a write past it fails."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        if len(self.data) + len(chunk) > OUTPUT_CAP:
            return -errno.ENOSPC
        self.data += chunk
        return len(chunk)


class Plugin:
    """A plugin composed with an engine, compiled, ready to run (``Engine.plugin``)."""

    def __init__(self, graphs: Dict[str, "_native.Graph"], guards: Guards, plugin: bytes) -> None:
        try:
            composed = _native.compose_plugin(source(), plugin)
        except ValueError as e:
            raise InvalidInputError(str(e)) from None
        self._component = _compiled(runtime()[0], composed)
        self._graphs, self._guards = graphs, guards

    def run(self, input: str) -> PluginRun:
        """Runs the plugin on ``input`` in a fresh instance, under the engine's guards:
        past the time limit it is a ``CancelledError``, a trap (a panic) a ``BackendError``;
        the engine goes on either way. The plugin's own ``err`` is the result's ``error``."""
        if not isinstance(input, str):
            raise InvalidInputError(f"a plugin's input is a string, got {type(input).__name__}")
        out, err = _Captured(), _Captured()
        wasi = wasmtime.WasiConfig()  # no argv, env, preopens or network
        wasi.stdout_custom = out.write
        wasi.stderr_custom = err.write
        instance = Instance(self._graphs, self._guards, component=self._component, interface=HANDLER, wasi=wasi)
        result = instance.call("run", input, unwrapped=False)
        stdout, stderr = bytes(out.data), bytes(err.data)
        if isinstance(result, Variant) and result.tag == "err":
            return PluginRun(None, str(result.payload), stdout, stderr)
        answer = result.payload if isinstance(result, Variant) else result
        return PluginRun(str(answer), None, stdout, stderr)


def _compiled(engine: wasmtime.Engine, composed: bytes) -> Component:
    """The composed plugin's compiled code: what an earlier process left in the cache
    folder, else compiled now (a CPython plugin takes seconds) and left there for the
    next one. wasmtime refuses a file of another version or configuration, which is
    then compiled anew. (wasmtime runs what the file holds as machine code: it is one a
    host wrote, named by the SHA-256 of its component, in the user's own cache folder,
    which a plugin cannot reach.)"""
    cached = _native.compiled_plugin_path(composed)
    try:
        component = Component.deserialize_file(engine, cached)
        with contextlib.suppress(OSError):
            os.utime(cached)  # used: pruning keeps it
        return component
    except (OSError, wasmtime.WasmtimeError):
        pass
    try:
        component = Component(engine, composed)
    except wasmtime.WasmtimeError as e:
        raise InvalidInputError(f"the plugin does not compile: {e}") from None
    # A cache that cannot be written only costs the next load its compilation.
    with contextlib.suppress(OSError):
        _native.store_compiled_plugin(cached, bytes(component.serialize()))
    return component


__all__: List[str] = ["HANDLER", "Plugin", "PluginRun"]
