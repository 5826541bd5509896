// The component's one capability: wasi:nn, served by the native backend. Thin
// classes only; each converts jco's values and calls the addon.
//
// Two rules of jco-generated code shape this file. A JS exception that escapes
// an import unwinds through the component's frames and leaves its instance
// broken, so every failure becomes a wasi-nn `error` resource, thrown as a value
// that is not an `Error` (jco turns such a throw into `result::err`). And jco
// reads the unversioned interface names although its typings list versioned
// ones, so both are provided.
import { native } from "./native.js";

const VERSION = "@0.2.0-rc-2024-10-28";

/**
 * Told when a call enters and leaves the native backend (lib/worker.js: the watchdog's view).
 * @typedef {{ enter(): void, leave(): void }} Backend
 */

/** wasi:nn/errors `error`. Deliberately not a subclass of `Error`. */
class NnError {
  #code;
  #data;
  /**
   * @param {"invalid-argument" | "invalid-encoding" | "timeout" | "runtime-error" | "unsupported-operation" | "too-large" | "not-found" | "security" | "unknown"} code
   * @param {string} data
   */
  constructor(code, data) {
    this.#code = code;
    this.#data = data;
  }
  code() {
    return this.#code;
  }
  data() {
    return this.#data;
  }
}

/** wasi:nn/tensor `tensor`: jco hands the host copies, so they can be kept. */
class Tensor {
  /**
   * @param {Uint32Array} dimensions
   * @param {string} type a `tensor-type` case as jco spells it ("FP32", "U8", ...)
   * @param {Uint8Array} data
   */
  constructor(dimensions, type, data) {
    this.dims = dimensions;
    this.type = type;
    this.bytes = data;
  }
  dimensions() {
    return this.dims;
  }
  ty() {
    return this.type;
  }
  data() {
    return this.bytes;
  }
}

/**
 * Runs `fn`, turning any JS failure into a wasi-nn error thrown as a value.
 * @template T
 * @param {() => T} fn
 * @returns {T}
 */
function guarded(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NnError) throw e;
    const error = /** @type {{ name?: string, message?: string } | undefined} */ (e);
    throw new NnError("runtime-error", `${error?.name ?? "Error"}: ${error?.message ?? String(e)}`);
  }
}

class GraphExecutionContext {
  /**
   * @param {import("./native-types.d.ts").NativeContext} context
   * @param {Backend | undefined} backend
   */
  constructor(context, backend) {
    this.context = context;
    this.backend = backend;
  }
  /**
   * @param {[name: string, tensor: Tensor][]} inputs
   * @returns {[name: string, tensor: Tensor][]}
   */
  compute(inputs) {
    return guarded(() => {
      /** @type {import("./native-types.d.ts").WireTensor[]} */
      const wire = inputs.map(([name, t]) => [name, t.ty(), Array.from(t.dimensions()), t.data()]);
      this.backend?.enter();
      try {
        return this.context
          .compute(wire)
          .map(([name, type, dims, data]) => [name, new Tensor(Uint32Array.from(dims), type, data)]);
      } finally {
        this.backend?.leave();
      }
    });
  }
  // The component dropped the context: free its KV cache now, not at the next GC.
  [Symbol.dispose]() {
    this.context.free();
  }
}

class Graph {
  /**
   * @param {import("./native-types.d.ts").NativeGraph} graph
   * @param {number | undefined} cancel
   * @param {Backend | undefined} backend
   */
  constructor(graph, cancel, backend) {
    this.graph = graph;
    this.cancel = cancel;
    this.backend = backend;
  }
  initExecutionContext() {
    return guarded(() => new GraphExecutionContext(this.graph.initExecutionContext(this.cancel), this.backend));
  }
  [Symbol.dispose]() {}
}

/**
 * The import object for one instance: `models` maps the names the application
 * registered to the addon's model numbers; the component can open those and
 * nothing else. Its contexts stop when the addon's cancel flag `cancel` is raised,
 * and tell `backend` when a call enters and leaves the native backend. Just
 * before it traps, the component says why through `load-by-name`
 * (docs/ggml-profile.md): `lastWords` is told the sentence, given the
 * component's memory cap `memoryBytes`.
 * @param {Record<string, number>} models
 * @param {{ cancel?: number, backend?: { enter(): void, leave(): void }, memoryBytes?: number, lastWords?: (sentence: string) => void }} [host]
 */
export function wasiNnImports(models, { cancel, backend, memoryBytes = 0, lastWords } = {}) {
  const loadByName = (/** @type {string} */ name) =>
    guarded(() => {
      const report = native.abortReport(name, memoryBytes);
      if (report !== null) {
        lastWords?.(report);
        throw new NnError("not-found", "noted");
      }
      if (!Object.hasOwn(models, name)) throw new NnError("not-found", `failed to find graph with name: ${name}`);
      return new Graph(new native.Graph(models[name]), cancel, backend);
    });
  const load = () => {
    throw new NnError("unsupported-operation", "loading GGUF bytes is not supported yet: register models by name");
  };
  const interfaces = {
    tensor: { Tensor },
    errors: { Error: NnError },
    inference: { GraphExecutionContext },
    graph: { Graph, loadByName, load },
  };
  /** @type {Record<string, object>} */
  const imports = {};
  for (const [name, value] of Object.entries(interfaces)) {
    imports[`wasi:nn/${name}`] = value;
    imports[`wasi:nn/${name}${VERSION}`] = value;
  }
  return imports;
}
