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

/** wasi:nn/errors `error`. Deliberately not a subclass of `Error`. */
class NnError {
  #code;
  #data;
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

/** Runs `fn`, turning any JS failure into a wasi-nn error thrown as a value. */
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
  constructor(context, backend) {
    this.context = context;
    this.backend = backend;
  }
  compute(inputs) {
    return guarded(() => {
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
 * and tell `backend` when a call enters and leaves the native backend.
 * @param {Record<string, number>} models
 * @param {number} [cancel]
 * @param {{ enter(): void, leave(): void }} [backend]
 */
export function wasiNnImports(models, cancel, backend) {
  const loadByName = (name) =>
    guarded(() => {
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
  const imports = {};
  for (const [name, value] of Object.entries(interfaces)) {
    imports[`wasi:nn/${name}`] = value;
    imports[`wasi:nn/${name}${VERSION}`] = value;
  }
  return imports;
}
