// One instance of the component, in a worker thread of its own: the component's
// wasi:nn imports are synchronous (Node 20 has no JSPI), so generation blocks
// this thread and never the application's event loop.
//
// Requests and answers as lib/worker-base.js says; a streaming generation sends
// `{ id, piece }` first. The main thread cancels request `id`
// through the shared cells (lib/cells.js), read between tokens, and the native
// cancel flag, which stops a decode in progress.
import { workerData } from "node:worker_threads";
import { instantiate } from "../component/inf-wasi.js";
import { Cell } from "./cells.js";
import { grantOnly } from "./link.js";
import { native } from "./native.js";
import { wasiNnImports } from "./wasi-nn.js";
import { cells, host, parentPort, serve, spokenLastWords } from "./worker-base.js";

/** @type {import("./internal-types.d.ts").WorkerData & { modules: Record<string, WebAssembly.Module> }} */
const { modules, models, cancelFlag } = workerData;
/** @type {import("./internal-types.d.ts").Inference} */
const api = instantiate((/** @type {string} */ path) => modules[path], grantOnly(wasiNnImports(models, host))).inference;

/** Set when the component trapped: its instance must not be entered again. */
/** @type {string | null} */
let broken = null;
/** @type {import("./internal-types.d.ts").ComponentSession | null} */
let session = null;
/** Why opening the session failed: the answer to every later request. */
/** @type {unknown} */
let sessionError = null;
/** @type {Map<string, import("./internal-types.d.ts").ComponentModel>} */
const openModels = new Map();

class Cancelled {}

/** @param {string} name */
function model(name) {
  let handle = openModels.get(name);
  if (handle === undefined) {
    handle = api.Model.open(name);
    openModels.set(name, handle);
  }
  return handle;
}

/** @param {import("./internal-types.d.ts").WorkerRequestOf<"generate">} request */
function generate({ id, kind, input, options, stream, events }) {
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
        // Cancelled between tokens: the flag makes the component's next step
        // fail as cancelled, so the component ends the turn as it ends any
        // cancelled one (its history as before the turn).
        if (Atomics.load(cells, Cell.CANCEL) === id) native.cancel(cancelFlag);
        const piece = events ? streamEvent(tokens.nextEvent()) : tokens.next();
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

/**
 * @param {import("./internal-types.d.ts").WitStreamEvent | undefined} event
 * @returns {import("../index.d.ts").StreamEvent | undefined}
 */
function streamEvent(event) {
  if (event === undefined) return undefined;
  return event.tag === "text" ? { type: "text", text: event.val } : { type: "tool-call", call: event.val };
}

function opened() {
  if (sessionError !== null) throw sessionError;
  // Not null: Engine.session sends openSession first, and only a session's requests come here.
  return /** @type {import("./internal-types.d.ts").ComponentSession} */ (session);
}

/**
 * @param {import("./internal-types.d.ts").WitModelInfo} info
 * @returns {import("../index.d.ts").ModelInfo}
 */
const modelInfo = (info) => ({
  ...info,
  parameters: Number(info.parameters),
  sizeBytes: Number(info.sizeBytes),
  chatTemplate: info.chatTemplate ?? null,
});

/**
 * @param {import("./internal-types.d.ts").WitContentPart} p
 * @returns {import("../index.d.ts").ContentPart}
 */
const contentPart = (p) => {
  switch (p.tag) {
    case "text":
      return { type: "text", text: p.val };
    case "image":
      return { type: "image", image: p.val };
    case "audio":
      return { type: "audio", audio: p.val };
  }
};

/**
 * @param {import("./internal-types.d.ts").WitMessage} m
 * @returns {import("../index.d.ts").Message}
 */
const message = (m) => ({
  role: m.role,
  content: m.content.every((p) => p.tag === "text")
    ? m.content.map((p) => p.val).join("")
    : m.content.map(contentPart),
  toolCalls: m.toolCalls,
  ...(m.toolCallId === undefined ? {} : { toolCallId: m.toolCallId }),
});

/** @type {import("./internal-types.d.ts").WorkerOperations} */
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
  tokenizeChat: ({ model: name, messages }) => Array.from(model(name).tokenizeChat(messages)),
  detokenize: ({ model: name, tokens }) => model(name).detokenize(Uint32Array.from(tokens)),
  embed: ({ model: name, texts }) => model(name).embed(texts).map((v) => Array.from(v)),
};

/**
 * Anything thrown, as far as `wireError` reads it.
 * @typedef {{ payload?: { tag?: unknown, val?: unknown }, name?: string, message?: string } | null | undefined} Thrown
 */

/**
 * What crossed out of the component, as `{ code, message }`.
 * @param {Thrown} e
 * @returns {import("./internal-types.d.ts").WireError}
 */
function wireError(e) {
  if (e instanceof Cancelled) return { code: "cancelled", message: "the generation was cancelled" };
  const payload = e?.payload;
  if (payload && typeof payload.tag === "string") return { code: payload.tag, message: String(payload.val) };
  if (e instanceof WebAssembly.RuntimeError) {
    // A trap: the component's own report says why (a panic, its memory cap), when it gave one.
    broken = spokenLastWords() ?? `the component failed: ${e.message}`;
    return { code: "backend", message: broken };
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

// Each handler takes the request of its own op, which TypeScript cannot pair up through `op`.
serve(/** @type {Record<string, (request: any) => unknown>} */ (operations), {
  wireError: (e) => wireError(/** @type {Thrown} */ (e)),
  close,
  broken: () => broken,
});
