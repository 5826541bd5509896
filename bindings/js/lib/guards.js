// The component's guards in Node, where jco runs it in V8 (no fuel, no epochs):
// a memory cap written into the core modules' memory limits, and a watchdog on
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
const PAGE = 65536;

/** The engine's `guestMemoryLimit` (bytes) and `guestTimeLimit` (ms), checked. */
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

/**
 * `module` (core wasm bytes) with every memory it defines capped at `bytes`: a
 * `memory.grow` past the cap then fails inside the component, which aborts.
 * Imported memories are left alone; they are capped where they are defined.
 * @param {Uint8Array} module
 * @param {number} bytes
 */
export function capMemory(module, bytes) {
  const capPages = Math.floor(bytes / PAGE);
  const out = [module.subarray(0, 8)];
  let at = 8;
  while (at < module.length) {
    const id = module[at];
    const [size, sizeEnd] = leb(module, at + 1);
    const body = module.subarray(sizeEnd, sizeEnd + size);
    at = sizeEnd + size;
    if (id !== 5) {
      out.push(Uint8Array.of(id), encode(size), body);
      continue;
    }
    const rewritten = [];
    let [count, p] = leb(body, 0);
    rewritten.push(encode(count));
    for (; count > 0; count--) {
      const flags = body[p++];
      if (flags & ~1) throw new InfWasiError("backend", `unexpected memory limits (flags ${flags}) in the component`);
      let min, max;
      [min, p] = leb(body, p);
      if (flags & 1) [max, p] = leb(body, p);
      const capped = Math.max(min, Math.min(max ?? capPages, capPages));
      rewritten.push(Uint8Array.of(1), encode(min), encode(capped));
    }
    const section = concat(rewritten);
    out.push(Uint8Array.of(5), encode(section.length), section);
  }
  return concat(out);
}

/** An unsigned LEB128 number at `at`: `[value, end]`. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function encode(value) {
  const bytes = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Uint8Array.from(bytes);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
