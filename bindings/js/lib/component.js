// The component's core modules, compiled once per process on the main thread
// and handed to every worker (V8 shares compiled WebAssembly between threads).
import { readdir, readFile } from "node:fs/promises";

const DIRECTORY = new URL("../component/", import.meta.url);

/** @type {Promise<Record<string, WebAssembly.Module>> | null} */
let compiled = null;

/** The transpiled component's core modules by file name, as its `instantiate` asks for them. */
export function coreModules() {
  compiled ??= (async () => {
    const names = (await readdir(DIRECTORY)).filter((name) => name.endsWith(".wasm"));
    const modules = await Promise.all(names.map(async (name) => WebAssembly.compile(await readFile(new URL(name, DIRECTORY)))));
    return Object.fromEntries(names.map((name, i) => [name, modules[i]]));
  })();
  compiled.catch(() => (compiled = null));
  return compiled;
}
