// The cells a channel (main thread) and its worker share, as an Int32Array over
// a SharedArrayBuffer: how they cancel and watch each other without messages,
// which a worker busy inside the component could not read.
export const Cell = Object.freeze({
  /** Main → worker: the request to cancel (read between tokens). */
  CANCEL: 0,
  /** Worker → main: the generation running now, or 0 (the native cancel flag stops it). */
  GENERATING: 1,
  /** Worker → main: moves when a request starts and when the component enters or leaves the backend. */
  PROGRESS: 2,
  /** Worker → main: 1 while inside the backend (decoding, which the guest time limit does not count). */
  IN_BACKEND: 3,
  /** Worker → main: 1 while a request runs. */
  BUSY: 4,
});

export const CELLS = 5;
