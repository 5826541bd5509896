// The native backend (a napi-rs addon built from bindings/js/src): registered
// models and wasi-nn execution contexts. Loaded by the main thread (to register
// models) and by every session worker (to serve wasi:nn); the library is mapped
// once per process, so they share the models.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** @type {import("./native-types.d.ts").Native} */
export const native = require("../native/inf_wasi.node");
