// Transpiling a composed plugin at load time, with jco's js-component-bindgen:
// itself a component, transpiled to JavaScript, which ci/js.sh copies into
// transpiler/ from @bytecodealliance/jco-transpile (pinned in package.json's
// devDependencies) with its WASI imports pointed at lib/transpiler-wasi.js.
// This bindgen is newer than the jco 1.12.0 that transpiles the package's own
// component: 1.12.0 cannot read the extended constant expressions CPython's
// core modules (componentize-py) use.
import v8 from "node:v8";
import { invalidInput } from "./errors.js";

/** @type {Promise<typeof import("../transpiler/js-component-bindgen-component.js")> | undefined} */
let bindgen;

/**
 * A module of one global whose initialiser is an extended constant expression
 * (`i32.const 1; i32.const 2; i32.add`).
 */
const EXTENDED_CONST = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 6, 9, 1, 127, 0, 65, 1, 65, 2, 106, 11]);

/**
 * Node 20's V8 validates extended constant expressions only behind a flag
 * (Node 22's has them on): set for the process when this one lacks them, checked
 * first, since the flag is only read as modules are validated.
 */
function allowExtendedConst() {
  if (!WebAssembly.validate(EXTENDED_CONST)) v8.setFlagsFromString("--experimental-wasm-extended-const");
  if (!WebAssembly.validate(EXTENDED_CONST)) {
    throw invalidInput("this Node cannot compile plugins: its WebAssembly lacks extended constant expressions");
  }
}

/**
 * The files of `component` transpiled for synchronous instantiation: its core
 * modules (`*.wasm`) and the JavaScript that instantiates them (`*.js`).
 * @param {Uint8Array} component
 * @returns {Promise<[name: string, bytes: Uint8Array][]>}
 */
export async function transpile(component) {
  allowExtendedConst();
  bindgen ??= import("../transpiler/js-component-bindgen-component.js").then(async (m) => {
    await m.$init;
    return m;
  });
  const { generate } = await bindgen;
  try {
    return generate(component, { name: "plugin", instantiation: { tag: "sync" }, noTypescript: true, noNodejsCompat: true })
      .files;
  } catch (e) {
    throw invalidInput(`the plugin does not compile: ${e instanceof Error ? e.message : String(e)}`);
  }
}
