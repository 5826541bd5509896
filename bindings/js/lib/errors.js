// One error class, mapped one to one onto the WIT `error` variant: `code` is the
// case name, the same string in every language binding.

/** The cases of the WIT `error` variant, in its order. */
export const ERROR_CODES = Object.freeze([
  "model-not-found",
  "invalid-model",
  "invalid-input",
  "context-overflow",
  "unsupported",
  "cancelled",
  "backend",
]);

export class InfWasiError extends Error {
  /**
   * @param {string} code a case of the WIT error; anything else becomes "backend"
   * @param {string} message
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = "InfWasiError";
    /** @type {import("../index.d.ts").ErrorCode} */
    this.code = /** @type {import("../index.d.ts").ErrorCode} */ (ERROR_CODES.includes(code) ? code : "backend");
  }
}

/** @param {string} message */
export const invalidInput = (message) => new InfWasiError("invalid-input", message);

/** An error as it crossed from a worker: `{ code, message }`. */
export const fromWire = (/** @type {{ code: string, message: string }} */ e) => new InfWasiError(e.code, e.message);
