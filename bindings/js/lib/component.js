// The component's core modules, compiled once per process (and memory cap) on
// the main thread and handed to every worker (V8 shares compiled WebAssembly
// between threads).
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { native } from "./native.js";

const DIRECTORY = new URL("../component/", import.meta.url);

/** @type {Map<number, Promise<Record<string, WebAssembly.Module>>>} */
const compiled = new Map();

/**
 * The transpiled component's core modules by file name, as its `instantiate`
 * asks for them, with their memory capped at `memoryBytes`.
 * @param {number} memoryBytes
 */
export function coreModules(memoryBytes) {
  let modules = compiled.get(memoryBytes);
  if (modules === undefined) {
    modules = (async () => {
      // jco's files, `inf-wasi.core.wasm`, `inf-wasi.core2.wasm`...; not the component itself (plugins').
      const names = (await readdir(DIRECTORY)).filter((name) => /\.core\d*\.wasm$/.test(name));
      const compile = async (/** @type {string} */ name) => WebAssembly.compile(native.capMemory(await readFile(new URL(name, DIRECTORY)), memoryBytes));
      const list = await Promise.all(names.map(compile));
      return Object.fromEntries(names.map((name, i) => [name, list[i]]));
    })();
    compiled.set(memoryBytes, modules);
    modules.catch(() => compiled.delete(memoryBytes));
  }
  return modules;
}

/**
 * Whether `component` is the component this package was transpiled from: ci/js.sh
 * records its SHA-256 beside the transpiled files (a packed file must hold it).
 * @param {Uint8Array} component
 */
export async function sameComponent(component) {
  const expected = (await readFile(new URL("inf-wasi.sha256", DIRECTORY), "utf8")).trim();
  return createHash("sha256").update(component).digest("hex") === expected;
}
