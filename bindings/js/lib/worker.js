// One instance of the component, in a worker thread of its own: the component's
// wasi:nn imports are synchronous (Node 20 has no JSPI), so generation blocks
// this thread and never the application's event loop.
//
// Requests arrive one at a time as `{ id, op, ...arguments }`; each gets back
// `{ id, result }` or `{ id, error: { code, message } }`, and a streaming
// generation sends `{ id, piece }` first. The main thread cancels request `id`
// through the shared cells (lib/cells.js), read between tokens, and the native
// cancel flag, which stops a decode in progress.
import { parentPort as maybeParentPort, workerData } from "node:worker_threads";
import { instantiate } from "../component/inf-wasi.js";
import { Cell } from "./cells.js";
import { grantOnly } from "./link.js";
import { native } from "./native.js";
import { wasiNnImports } from "./wasi-nn.js";

if (maybeParentPort === null) throw new Error("lib/worker.js runs only as a worker thread");
const parentPort = maybeParentPort;
const { modules, models, cells: shared, cancelFlag, guards } = workerData;
const cells = new Int32Array(shared);
// The watchdog (lib/channel.js) reads these: time inside the backend is not the component's.
const backend = {
  enter() {
    Atomics.add(cells, Cell.PROGRESS, 1);
    Atomics.store(cells, Cell.IN_BACKEND, 1);
  },
  leave() {
    Atomics.store(cells, Cell.IN_BACKEND, 0);
    Atomics.add(cells, Cell.PROGRESS, 1);
  },
};
const api = instantiate((path) => modules[path], grantOnly(wasiNnImports(models, cancelFlag, backend))).inference;

/** Set when the component trapped: its instance must not be entered again. */
/** @type {string | null} */
let broken = null;
let session = null;
/** Why opening the session failed: the answer to every later request. */
let sessionError = null;
const openModels = new Map();

class Cancelled {}

function model(name) {
  let handle = openModels.get(name);
  if (handle === undefined) {
    handle = api.Model.open(name);
    openModels.set(name, handle);
  }
  return handle;
}

function generate({ id, kind, input, options, stream }) {
  const session = opened();
  // Marked as running before the native flag is lowered, and cell 0 read after:
  // a cancel that races the start is seen by one or the other (lib/channel.js).
  Atomics.store(cells, Cell.GENERATING, id);
  try {
    native.clearCancel(cancelFlag);
    if (Atomics.load(cells, Cell.CANCEL) === id) throw new Cancelled();
    const tokens = kind === "chat" ? session.chatStream(input, options) : session.completeStream(input, options);
    try {
      for (;;) {
        if (Atomics.load(cells, Cell.CANCEL) === id) throw new Cancelled();
        const piece = tokens.next();
        if (piece === undefined) break;
        if (stream) parentPort.postMessage({ id, piece });
      }
      return tokens.outcome();
    } finally {
      tokens[Symbol.dispose]();
    }
  } finally {
    Atomics.store(cells, Cell.GENERATING, 0);
  }
}

function opened() {
  if (sessionError !== null) throw sessionError;
  return session;
}

const modelInfo = (info) => ({
  ...info,
  parameters: Number(info.parameters),
  sizeBytes: Number(info.sizeBytes),
  chatTemplate: info.chatTemplate ?? null,
});

const message = (m) => ({
  role: m.role,
  content: m.content.every((p) => p.tag === "text")
    ? m.content.map((p) => p.val).join("")
    : m.content.map((p) => (p.tag === "text" ? { type: "text", text: p.val } : { type: "image", image: p.val })),
});

const operations = {
  openSession({ model: name, options }) {
    try {
      session = model(name).newSession(options);
    } catch (e) {
      sessionError = e;
      throw e;
    }
  },
  generate,
  history: () => opened().history().map(message),
  reset: () => opened().reset(),
  info: ({ model: name }) => modelInfo(model(name).info()),
  tokenize: ({ model: name, text, addSpecial }) => Array.from(model(name).tokenize(text, addSpecial)),
  detokenize: ({ model: name, tokens }) => model(name).detokenize(Uint32Array.from(tokens)),
  embed: ({ model: name, texts }) => model(name).embed(texts).map((v) => Array.from(v)),
};

/** What crossed out of the component, as `{ code, message }`. */
function wireError(e) {
  if (e instanceof Cancelled) return { code: "cancelled", message: "the generation was cancelled" };
  const payload = e?.payload;
  if (payload && typeof payload.tag === "string") return { code: payload.tag, message: String(payload.val) };
  if (e instanceof WebAssembly.RuntimeError) {
    // The component aborts (`unreachable`) when memory.grow fails at its cap (lib/guards.js).
    const cause = e.message.includes("unreachable")
      ? `; it aborts so when it reaches its memory cap of ${guards.memoryBytes} bytes`
      : "";
    broken = `${e.message}${cause}`;
    return { code: "backend", message: `the component stopped (${broken})` };
  }
  return { code: "backend", message: `${e?.name ?? "Error"}: ${e?.message ?? String(e)}` };
}

function close() {
  // Drops run the component's destructors, which free the native contexts now.
  if (broken === null) {
    session?.[Symbol.dispose]();
    for (const handle of openModels.values()) handle[Symbol.dispose]();
  }
  session = null;
  openModels.clear();
}

parentPort.on("message", (request) => {
  const { id, op } = request;
  if (op === "close") {
    try {
      close();
    } finally {
      parentPort.postMessage({ id, result: undefined });
      parentPort.close();
    }
    return;
  }
  if (broken !== null) {
    const message = `this session failed earlier and cannot be used: ${broken}`;
    parentPort.postMessage({ id, error: { code: "backend", message } });
    return;
  }
  Atomics.add(cells, Cell.PROGRESS, 1);
  Atomics.store(cells, Cell.BUSY, 1);
  try {
    parentPort.postMessage({ id, result: operations[op](request) });
  } catch (e) {
    parentPort.postMessage({ id, error: wireError(e) });
  } finally {
    Atomics.store(cells, Cell.BUSY, 0);
  }
});
