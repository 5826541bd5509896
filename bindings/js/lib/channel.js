// The main thread's end of one component worker (lib/worker.js): numbered
// requests, streamed pieces, cancellation, and a worker that keeps the process
// alive only while a request is in flight.
import { Worker } from "node:worker_threads";
import { InfWasiError, fromWire } from "./errors.js";
import { native } from "./native.js";

const WORKER = new URL("./worker.js", import.meta.url);

export class Channel {
  #worker;
  /** [0]: the request to cancel; [1]: the request the worker is running. */
  #cancel = new Int32Array(new SharedArrayBuffer(8));
  /** The addon's cancel flag for this worker's contexts: it stops a decode in progress. */
  #cancelFlag = native.createCancel();
  #pending = new Map();
  #nextId = 1;
  #failure = null;

  /**
   * @param {Record<string, WebAssembly.Module>} modules the component's compiled core modules
   * @param {Record<string, number>} models registered model names and their native numbers
   */
  constructor(modules, models) {
    const workerData = { modules, models, cancel: this.#cancel.buffer, cancelFlag: this.#cancelFlag };
    // Not the application's Node flags: some (`--input-type`, `-e`) make a worker fail to start.
    this.#worker = new Worker(WORKER, { workerData, execArgv: [] });
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
   * @returns {{ id: number, done: Promise<any> }}
   */
  send(op, args = {}, { onPiece, signal } = {}) {
    const id = this.#nextId++;
    if (this.#failure !== null) return { id, done: Promise.reject(this.#failure) };
    if (signal?.aborted) return { id, done: Promise.reject(cancelled(signal)) };
    const done = new Promise((resolve, reject) => {
      const onAbort = () => this.cancel(id);
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle = (finish) => (value) => {
        signal?.removeEventListener("abort", onAbort);
        finish(value);
      };
      const rejectAborted = (error) =>
        reject(error.code === "cancelled" && signal?.aborted ? cancelled(signal) : error);
      this.#pending.set(id, { resolve: settle(resolve), reject: settle(rejectAborted), onPiece });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, op, ...args });
    });
    return { id, done };
  }

  /** `send`, for the answer only. */
  request(op, args, options) {
    return this.send(op, args, options).done;
  }

  /** Whether the worker failed or was closed: a new request would be refused. */
  get failed() {
    return this.#failure !== null;
  }

  /**
   * Stops request `id`: at once if the worker is running it (the native flag
   * interrupts even a decode), else before its first token.
   */
  cancel(id) {
    Atomics.store(this.#cancel, 0, id);
    // The worker marks the request it runs; one not yet started sees cell 0 as it starts.
    if (Atomics.load(this.#cancel, 1) === id) native.cancel(this.#cancelFlag);
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

  #receive(message) {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    if ("piece" in message) {
      pending.onPiece?.(message.piece);
      return;
    }
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ("error" in message) pending.reject(fromWire(message.error));
    else pending.resolve(message.result);
  }

  #fail(error) {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    this.#worker.unref();
  }
}

function cancelled(signal) {
  return new InfWasiError("cancelled", "the operation was aborted", { cause: signal.reason });
}
