// inf-wasi for Node: local LLM inference with the inference logic sandboxed in a
// WebAssembly component (transpiled by jco); its one capability, wasi:nn, is
// served by llama.cpp through this package's native addon.
export { Engine } from "./engine.js";
export { Plugin } from "./plugin.js";
export { Session, TokenStream } from "./session.js";
export { ERROR_CODES, InfWasiError } from "./errors.js";
