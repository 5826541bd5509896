// The component's guards in Node, where jco runs it in V8 (no fuel, no epochs):
// a memory cap written into the core modules' memory limits (by the addon:
// src/memory_cap.rs, used in lib/component.js), and a watchdog on
// the main thread that ends a session's worker when the component runs too long
// without returning or calling the backend.
import { readFileSync } from "node:fs";
import { InfWasiError } from "./errors.js";

/**
 * The guards' defaults and bounds, which every host applies alike
 * (bindings/guards.json in the repository; docs/host-contract.md).
 * @type {{ memory_bytes: { default: number, min: number, max: number }, time_ms: { default: number, min: number, max: number }, tick_ms: number }}
 */
export const CONTRACT = JSON.parse(readFileSync(new URL("./guards.json", import.meta.url), "utf8"));

/**
 * The engine's `guestMemoryLimit` (bytes) and `guestTimeLimit` (ms), checked.
 * @param {Pick<import("../index.d.ts").EngineOptions, "guestMemoryLimit" | "guestTimeLimit">} options
 * @returns {import("./internal-types.d.ts").Guards}
 */
export function guards(options) {
  const memory = CONTRACT.memory_bytes;
  const time = CONTRACT.time_ms;
  const { guestMemoryLimit = memory.default, guestTimeLimit = time.default } = options;
  if (!Number.isInteger(guestMemoryLimit) || guestMemoryLimit < memory.min || guestMemoryLimit > memory.max) {
    throw new InfWasiError("invalid-input", `guestMemoryLimit must be a whole number of bytes from ${memory.min} to ${memory.max}, got ${guestMemoryLimit}`);
  }
  if (typeof guestTimeLimit !== "number" || !(guestTimeLimit >= time.min && guestTimeLimit <= time.max)) {
    throw new InfWasiError("invalid-input", `guestTimeLimit must be a number of milliseconds from ${time.min} to ${time.max}, got ${guestTimeLimit}`);
  }
  return { memoryBytes: guestMemoryLimit, timeMs: guestTimeLimit };
}
