// What every worker of the package (a session's, lib/worker.js; a plugin's,
// lib/plugin-worker.js) does around its operations: the cells it shares with
// its channel (lib/channel.js), the host hooks its wasi:nn imports report to,
// and the loop that answers numbered requests.
//
// Requests arrive one at a time as `{ id, op, ...arguments }`; each gets back
// `{ id, result }` or `{ id, error: { code, message } }`.
import { parentPort as maybeParentPort, workerData } from "node:worker_threads";
import { Cell } from "./cells.js";

if (maybeParentPort === null) throw new Error("the package's workers run only as worker threads");
export const parentPort = maybeParentPort;

/** @type {import("./internal-types.d.ts").WorkerData} */
const data = workerData;
export const cells = new Int32Array(data.cells);

/** Why the guest is about to stop, in the engine component's own words: it says so just before it traps. */
/** @type {string | null} */
let lastWords = null;

/** What the wasi:nn imports (lib/wasi-nn.js) are told; the watchdog reads the cells they move. */
export const host = {
  cancel: data.cancelFlag,
  // Time inside the backend is not the guest's.
  backend: {
    enter() {
      Atomics.add(cells, Cell.PROGRESS, 1);
      Atomics.store(cells, Cell.IN_BACKEND, 1);
    },
    leave() {
      Atomics.store(cells, Cell.IN_BACKEND, 0);
      Atomics.add(cells, Cell.PROGRESS, 1);
    },
  },
  memoryBytes: data.guards.memoryBytes,
  lastWords: (/** @type {string} */ sentence) => {
    lastWords = sentence;
  },
};

/** The engine component's last words since the last call, if it said any. */
export const spokenLastWords = () => lastWords;

/**
 * Answers requests with `operations` (one per op; an async one is awaited) until
 * `close`, which runs `close` and ends the worker. `wireError` says what a thrown
 * value was; while `broken()` gives a reason, every request is answered with it.
 * @param {Record<string, (request: any) => unknown>} operations
 * @param {{ wireError(e: unknown): import("./internal-types.d.ts").WireError, close(): void, broken?(): string | null }} handlers
 */
export function serve(operations, { wireError, close, broken = () => null }) {
  parentPort.on("message", async (/** @type {{ id: number, op: string }} */ request) => {
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
    const failed = broken();
    if (failed !== null) {
      const message = `this session failed earlier and cannot be used: ${failed}`;
      parentPort.postMessage({ id, error: { code: "backend", message } });
      return;
    }
    lastWords = null;
    Atomics.add(cells, Cell.PROGRESS, 1);
    Atomics.store(cells, Cell.BUSY, 1);
    try {
      parentPort.postMessage({ id, result: await operations[op](request) });
    } catch (e) {
      parentPort.postMessage({ id, error: wireError(e) });
    } finally {
      Atomics.store(cells, Cell.BUSY, 0);
    }
  });
}
