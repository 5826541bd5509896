// The main thread's end of one component worker (lib/worker.js): numbered
// requests, streamed pieces, cancellation, and a worker that keeps the process
// alive only while a request is in flight.
import { Worker } from "node:worker_threads";
import { InfWasiError, fromWire } from "./errors.js";
import { CONTRACT } from "./guards.js";
import { CELLS, Cell } from "./cells.js";
import { native } from "./native.js";

/** A session's worker, and a plugin's. */
export const SESSION_WORKER = new URL("./worker.js", import.meta.url);
export const PLUGIN_WORKER = new URL("./plugin-worker.js", import.meta.url);
/** How often the watchdog looks at a busy worker: the resolution of the guest time limit. */
const WATCH_MS = CONTRACT.tick_ms;

/** @typedef {{ onPiece?: (piece: any) => void, signal?: AbortSignal }} SendOptions */

export class Channel {
  #worker;
  /** Shared with the worker: see lib/cells.js. */
  #cells = new Int32Array(new SharedArrayBuffer(4 * CELLS));
  /** The addon's cancel flag for this worker's contexts: it stops a decode in progress. */
  #cancelFlag = native.createCancel();
  /**
   * Requests in flight, by id. `resolve` takes the worker's answer, which is the
   * result of the request's op (lib/internal-types.d.ts `WorkerOps`).
   * @type {Map<number, { resolve(value: unknown): void, reject(error: InfWasiError): void, onPiece?: (piece: any) => void }>}
   */
  #pending = new Map();
  #nextId = 1;
  /** @type {InfWasiError | null} */
  #failure = null;
  #guards;
  /** What runs on the worker, for the time limit's message. */
  #what;
  /** The watchdog's timer, its last reading of the progress cell, and when that changed. */
  /** @type {NodeJS.Timeout | null} */
  #watch = null;
  #seen = -1;
  #since = 0;

  /**
   * @param {URL} script the worker's module: SESSION_WORKER or PLUGIN_WORKER
   * @param {Omit<import("./internal-types.d.ts").WorkerData, "cells" | "cancelFlag">} data what it is handed:
   *   registered model names and their native numbers, the component's limits (lib/guards.js), and
   *   the compiled component (a session's) or what a plugin loaded
   */
  constructor(script, data) {
    this.#guards = data.guards;
    this.#what = script === PLUGIN_WORKER ? "the plugin" : "the component";
    /** @type {import("./internal-types.d.ts").WorkerData} */
    const workerData = { ...data, cells: this.#cells.buffer, cancelFlag: this.#cancelFlag };
    // Not the application's Node flags: some (`--input-type`, `-e`) make a worker fail to start.
    this.#worker = new Worker(script, { workerData, execArgv: [] });
    this.#worker.on("message", (message) => this.#receive(message));
    this.#worker.on("error", (error) => this.#fail(new InfWasiError("backend", `the worker failed: ${error.message}`)));
    this.#worker.on("exit", () => {
      native.releaseCancel(this.#cancelFlag);
      this.#fail(new InfWasiError("invalid-input", "this session is closed"));
    });
    // After the listeners: adding a message listener refs the worker's port again.
    this.#worker.unref();
  }

  /**
   * Sends one request; `onPiece` receives streamed pieces. With `signal`, an
   * abort cancels the request (between tokens) and rejects with code "cancelled".
   * @template {import("./internal-types.d.ts").WorkerOp} Op
   * @param {Op} op
   * @param {object} [args]
   * @param {SendOptions} [options]
   * @returns {{ id: number, done: Promise<import("./internal-types.d.ts").WorkerOps[Op]["result"]> }}
   */
  send(op, args = {}, { onPiece, signal } = {}) {
    const id = this.#nextId++;
    if (this.#failure !== null) return { id, done: Promise.reject(this.#failure) };
    if (signal?.aborted) return { id, done: Promise.reject(cancelled(signal)) };
    /** @type {Promise<import("./internal-types.d.ts").WorkerOps[Op]["result"]>} */
    const done = new Promise((resolve, reject) => {
      const onAbort = () => this.cancel(id);
      signal?.addEventListener("abort", onAbort, { once: true });
      /**
       * @template T
       * @param {(value: T) => void} finish
       * @returns {(value: T) => void}
       */
      const settle = (finish) => (value) => {
        signal?.removeEventListener("abort", onAbort);
        finish(value);
      };
      const rejectAborted = (/** @type {InfWasiError} */ error) =>
        reject(error.code === "cancelled" && signal?.aborted ? cancelled(signal) : error);
      this.#pending.set(id, { resolve: settle(resolve), reject: settle(rejectAborted), onPiece });
      if (this.#pending.size === 1) {
        this.#worker.ref();
        this.#startWatch();
      }
      this.#worker.postMessage({ id, op, ...args });
    });
    return { id, done };
  }

  /**
   * `send`, for the answer only.
   * @template {import("./internal-types.d.ts").WorkerOp} Op
   * @param {Op} op
   * @param {object} [args]
   * @param {SendOptions} [options]
   */
  request(op, args, options) {
    return this.send(op, args, options).done;
  }

  /** Whether the worker failed or was closed: a new request would be refused. */
  get failed() {
    return this.#failure !== null;
  }

  /** Prompt batches the backend has begun under this worker's cancel flag, ever. */
  promptBatchesStarted() {
    return native.promptBatchesStarted(this.#cancelFlag);
  }

  /**
   * Stops request `id`: at once if the worker is running it (the native flag
   * interrupts even a decode), else before its first token.
   * @param {number} id
   */
  cancel(id) {
    Atomics.store(this.#cells, Cell.CANCEL, id);
    // The worker marks the generation it runs; one not yet started sees the cancel as it starts.
    if (Atomics.load(this.#cells, Cell.GENERATING) === id) native.cancel(this.#cancelFlag);
  }

  /** Drops the instance's resources, then ends the worker. */
  async close() {
    if (this.#failure !== null) return;
    try {
      await this.request("close");
    } catch {
      // The worker is gone already.
    }
    this.#fail(new InfWasiError("invalid-input", "this session is closed"));
    await this.#worker.terminate();
  }

  /** @param {import("./internal-types.d.ts").WorkerReply} message */
  #receive(message) {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    if ("piece" in message) {
      pending.onPiece?.(message.piece);
      return;
    }
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) {
      this.#worker.unref();
      this.#stopWatch();
    }
    if ("error" in message) pending.reject(fromWire(message.error));
    else pending.resolve(message.result);
  }

  /** @param {InfWasiError} error */
  #fail(error) {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    this.#worker.unref();
    this.#stopWatch();
  }

  /**
   * The watchdog: while a request is in flight, the worker moves the progress
   * cell whenever it starts a request or enters or leaves the backend. If it
   * stays still, outside the backend, past the guest time limit, the component
   * is looping (a hostile chat template, say): its worker is ended.
   */
  #startWatch() {
    if (this.#watch !== null) return;
    this.#seen = -1;
    const watch = setInterval(() => this.#check(), WATCH_MS);
    watch.unref();
    this.#watch = watch;
  }

  #stopWatch() {
    if (this.#watch === null) return;
    clearInterval(this.#watch);
    this.#watch = null;
  }

  #check() {
    const now = performance.now();
    const progress = Atomics.load(this.#cells, Cell.PROGRESS);
    const waiting = Atomics.load(this.#cells, Cell.IN_BACKEND) === 1 || Atomics.load(this.#cells, Cell.BUSY) === 0;
    if (progress !== this.#seen || waiting) {
      this.#seen = progress;
      this.#since = now;
    } else if (now - this.#since > this.#guards.timeMs) {
      this.#stop(
        new InfWasiError(
          "cancelled",
          `${this.#what} ran for more than ${this.#guards.timeMs} ms without returning and was stopped`,
        ),
      );
    }
  }

  /**
   * Ends the worker: `error` answers the requests in flight, and every later one says why.
   * @param {InfWasiError} error
   */
  #stop(error) {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#failure ??= new InfWasiError("backend", `this session stopped after an earlier failure: ${error.message}`);
    for (const p of pending) p.reject(error);
    this.#stopWatch();
    this.#worker.unref();
    void this.#worker.terminate();
  }
}

/** @param {AbortSignal} signal */
function cancelled(signal) {
  return new InfWasiError("cancelled", "the operation was aborted", { cause: signal.reason });
}
