// A plugin's worker (lib/plugin.js): `load` composes the plugin with the
// package's component (the addon, as every host composes), transpiles the
// result (lib/transpile.js) and compiles its core modules, under the engine's
// memory cap; `run` calls the plugin's handler in a fresh instance whose
// imports are the engine's wasi:nn and WASI with nothing behind it
// (lib/wasi-none.js). A worker started after a failed one is handed what the
// first loaded, and only runs.
import { readFile } from "node:fs/promises";
import { workerData } from "node:worker_threads";
import { InfWasiError, invalidInput } from "./errors.js";
import { grantOnly } from "./link.js";
import { native } from "./native.js";
import { transpile } from "./transpile.js";
import { wasiNnImports } from "./wasi-nn.js";
import { Capture, PluginExit, wasiNone } from "./wasi-none.js";
import { host, serve, spokenLastWords } from "./worker-base.js";

/** @type {import("./internal-types.d.ts").WorkerData} */
const { models, guards } = workerData;
/** @type {import("./internal-types.d.ts").LoadedPlugin | undefined} */
let loaded = workerData.plugin;
/** The transpiled plugin's `instantiate` (jco's, synchronous). */
/** @type {import("./internal-types.d.ts").InstantiatePlugin | undefined} */
let instantiate = loaded === undefined ? undefined : await glue(loaded.source);

const ENGINE = new URL("../component/inf-wasi.wasm", import.meta.url);

/**
 * The module of jco's generated JavaScript, loaded from its text.
 * @param {string} source
 * @returns {Promise<import("./internal-types.d.ts").InstantiatePlugin>}
 */
async function glue(source) {
  const module = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  return module.instantiate;
}

/**
 * Composes, transpiles and compiles `plugin` (a component's bytes); the result
 * goes back to the main thread, which hands it to later workers.
 * @param {{ plugin: Uint8Array }} request
 * @returns {Promise<import("./internal-types.d.ts").LoadedPlugin>}
 */
async function load({ plugin }) {
  // The host's work, however long it takes, is not the guest's time.
  host.backend.enter();
  try {
    let composed;
    try {
      composed = native.composePlugin(await readFile(ENGINE), plugin);
    } catch (e) {
      throw invalidInput(e instanceof Error ? e.message : String(e));
    }
    const files = await transpile(composed);
    /** @type {Record<string, WebAssembly.Module>} */
    const modules = {};
    let source = "";
    for (const [name, bytes] of files) {
      if (name.endsWith(".js")) source = new TextDecoder().decode(bytes);
      else if (name.endsWith(".wasm")) modules[name] = await compile(name, native.capMemory(bytes, guards.memoryBytes));
    }
    loaded = { source, modules };
    instantiate = await glue(source);
    return loaded;
  } finally {
    host.backend.leave();
  }
}

/**
 * @param {string} name
 * @param {Buffer<ArrayBuffer>} bytes
 */
async function compile(name, bytes) {
  try {
    return await WebAssembly.compile(bytes);
  } catch (e) {
    throw invalidInput(`the plugin does not compile: ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Calls the plugin's handler on `input` in a fresh instance.
 * @param {{ input: string }} request
 * @returns {import("../index.d.ts").PluginRun}
 */
function run({ input }) {
  if (loaded === undefined || instantiate === undefined) throw new InfWasiError("backend", "the plugin was not loaded");
  const modules = loaded.modules;
  const stdout = new Capture("stdout");
  const stderr = new Capture("stderr");
  const imports = grantOnly({ ...wasiNnImports(models, host), ...wasiNone(stdout, stderr) }, PLUGIN_GRANT);
  /** @type {string | null} */
  let output = null;
  /** @type {string | null} */
  let error = null;
  try {
    output = instantiate((name) => modules[name], imports).handler.run(input);
  } catch (e) {
    // The handler's own `err` (jco's ComponentError carries it as `payload`).
    const payload = /** @type {{ payload?: unknown } | undefined} */ (e)?.payload;
    if (typeof payload !== "string") throw e;
    error = payload;
  }
  return { output, error, stdout: stdout.bytes(), stderr: stderr.bytes() };
}

const PLUGIN_GRANT = "a plugin is given the engine and WASI 0.2 with nothing behind it";

/**
 * What stopped a call, as `{ code, message }`.
 * @param {unknown} e
 * @returns {import("./internal-types.d.ts").WireError}
 */
function wireError(e) {
  if (e instanceof InfWasiError) return { code: e.code, message: e.message };
  if (e instanceof PluginExit) return { code: "backend", message: e.message };
  if (e instanceof WebAssembly.RuntimeError) {
    // A trap: the engine's own report says why (its memory cap, a panic), when it gave one.
    return { code: "backend", message: spokenLastWords() ?? `the plugin stopped: ${e.message}` };
  }
  const error = /** @type {{ name?: string, message?: string } | undefined} */ (e);
  return { code: "backend", message: `${error?.name ?? "Error"}: ${error?.message ?? String(e)}` };
}

serve({ load, run }, { wireError, close: () => {} });
