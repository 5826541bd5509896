// The WASI that jco's js-component-bindgen (lib/transpile.js) runs with: the
// same as a plugin's, with nothing behind it. ci/js.sh points the bindgen's
// imports of @bytecodealliance/preview2-shim here, so these are named as that
// package's modules name them.
import { Capture, wasiNone } from "./wasi-none.js";

const wasi = wasiNone(new Capture("the transpiler's stdout"), new Capture("the transpiler's stderr"));

export const environment = wasi["wasi:cli/environment"];
export const exit = wasi["wasi:cli/exit"];
export const stdin = wasi["wasi:cli/stdin"];
export const stdout = wasi["wasi:cli/stdout"];
export const stderr = wasi["wasi:cli/stderr"];
export const terminalInput = wasi["wasi:cli/terminal-input"];
export const terminalOutput = wasi["wasi:cli/terminal-output"];
export const terminalStdin = wasi["wasi:cli/terminal-stdin"];
export const terminalStdout = wasi["wasi:cli/terminal-stdout"];
export const terminalStderr = wasi["wasi:cli/terminal-stderr"];
export const preopens = wasi["wasi:filesystem/preopens"];
export const types = wasi["wasi:filesystem/types"];
export const error = wasi["wasi:io/error"];
export const streams = wasi["wasi:io/streams"];
export const random = wasi["wasi:random/random"];
