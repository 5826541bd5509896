// WASI 0.2 with nothing behind it, for plugins (lib/plugin.js): language
// runtimes such as CPython import all of WASI whether a plugin uses it or not,
// so every interface is served, and each gives the least it can. No preopened
// directories (so no file can be named), no network (sockets are refused), no
// environment or arguments, stdin closed, stdout and stderr captured (up to
// OUTPUT_CAP each); clocks and randomness work. The other hosts give the same
// through wasmtime-wasi (Rust, Java) and wasmtime-py (Python).
//
// jco's conventions: a `result` error is thrown as a value that is not an
// `Error` (a string for an enum, `{ tag, val }` for a variant); an `Error`
// thrown unwinds through the guest and ends its instance.
import { randomBytes } from "node:crypto";

/** The most a call may write to stdout, and to stderr; past it the write fails. */
export const OUTPUT_CAP = 1 << 20;

/** wasi:io/error `error`. */
class IoError {
  #message;
  /** @param {string} message */
  constructor(message) {
    this.#message = message;
  }
  toDebugString() {
    return this.#message;
  }
}

/** How long `block` sleeps: Atomics.wait on a cell nothing ever wakes. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** wasi:io/poll `pollable`: ready now, or at a monotonic instant (in nanoseconds). */
class Pollable {
  #at;
  /** @param {bigint} [at] */
  constructor(at = 0n) {
    this.#at = at;
  }
  ready() {
    return process.hrtime.bigint() >= this.#at;
  }
  block() {
    const wait = this.#at - process.hrtime.bigint();
    if (wait > 0n) Atomics.wait(sleeper, 0, 0, Number(wait / 1_000_000n) + 1);
  }
  /** @internal */
  get at() {
    return this.#at;
  }
}

/**
 * The indices of the ready pollables, after waiting for the first to be.
 * @param {Pollable[]} pollables
 */
function poll(pollables) {
  if (pollables.length === 0) return new Uint32Array();
  if (!pollables.some((p) => p.ready())) {
    pollables.reduce((first, p) => (p.at < first.at ? p : first)).block();
  }
  return Uint32Array.from(pollables.flatMap((p, i) => (p.ready() ? [i] : [])));
}

/** A closed stream's answer, as wasi:io/streams `stream-error`. */
const CLOSED = { tag: "closed" };

/** wasi:io/streams `input-stream`: stdin, closed. */
class InputStream {
  read() {
    throw CLOSED;
  }
  blockingRead() {
    throw CLOSED;
  }
  skip() {
    throw CLOSED;
  }
  blockingSkip() {
    throw CLOSED;
  }
  subscribe() {
    return new Pollable();
  }
}

/** What one stream received, up to OUTPUT_CAP bytes. */
export class Capture {
  #chunks = /** @type {Uint8Array[]} */ ([]);
  #length = 0;
  /** @param {string} name */
  constructor(name) {
    this.name = name;
  }
  get room() {
    return OUTPUT_CAP - this.#length;
  }
  /** @param {Uint8Array} bytes */
  add(bytes) {
    const kept = bytes.subarray(0, this.room);
    this.#chunks.push(kept.slice());
    this.#length += kept.length;
    if (kept.length < bytes.length) {
      throw { tag: "last-operation-failed", val: new IoError(`${this.name} is full: a plugin may write ${OUTPUT_CAP} bytes to it`) };
    }
  }
  bytes() {
    return Buffer.concat(this.#chunks);
  }
}

/** Most a write may carry at once (wasi:io/streams `check-write`). */
const WRITE_PERMIT = 65536;

/** wasi:io/streams `output-stream`: stdout or stderr, into a Capture. */
class OutputStream {
  #capture;
  /** @param {Capture} capture */
  constructor(capture) {
    this.#capture = capture;
  }
  checkWrite() {
    if (this.#capture.room === 0) throw CLOSED;
    return BigInt(Math.min(this.#capture.room, WRITE_PERMIT));
  }
  /** @param {Uint8Array} bytes */
  write(bytes) {
    this.#capture.add(bytes);
  }
  /** @param {Uint8Array} bytes */
  blockingWriteAndFlush(bytes) {
    this.#capture.add(bytes);
  }
  flush() {}
  blockingFlush() {}
  /** @param {bigint} length */
  writeZeroes(length) {
    this.#capture.add(new Uint8Array(Number(length)));
  }
  /** @param {bigint} length */
  blockingWriteZeroesAndFlush(length) {
    this.#capture.add(new Uint8Array(Number(length)));
  }
  splice() {
    throw CLOSED;
  }
  blockingSplice() {
    throw CLOSED;
  }
  subscribe() {
    return new Pollable();
  }
}

/** Why a plugin stopped by calling wasi:cli/exit: an `Error`, so it unwinds the guest. */
export class PluginExit extends Error {}

// Resources no plugin can obtain (no directory is preopened, no socket made,
// no terminal given) still need their classes: jco checks what the host hands
// back against them.
class Descriptor {}
class DirectoryEntryStream {}
class TerminalInput {}
class TerminalOutput {}
class Network {}
class TcpSocket {}
class UdpSocket {}
class IncomingDatagramStream {}
class OutgoingDatagramStream {}
class ResolveAddressStream {}

/** wasi:sockets `error-code`: the network is not granted. */
const refused = () => {
  throw "access-denied";
};

/** @param {bigint} length */
const bytes = (length) => new Uint8Array(randomBytes(Number(length)));
const u64 = () => randomBytes(8).readBigUInt64LE();

/**
 * The WASI 0.2 import object, by interface name as jco reads it, for one
 * call: what the guest writes goes to `stdout` and `stderr`.
 * @param {Capture} stdout
 * @param {Capture} stderr
 * @returns {Record<string, object>}
 */
export function wasiNone(stdout, stderr) {
  const out = new OutputStream(stdout);
  const err = new OutputStream(stderr);
  return {
    "wasi:cli/environment": { getEnvironment: () => [], getArguments: () => [], initialCwd: () => undefined },
    "wasi:cli/exit": {
      exit: (/** @type {{ tag: string }} */ status) => {
        throw new PluginExit(`the plugin exited (${status.tag === "ok" ? "success" : "failure"})`);
      },
    },
    "wasi:cli/stdin": { getStdin: () => new InputStream() },
    "wasi:cli/stdout": { getStdout: () => out },
    "wasi:cli/stderr": { getStderr: () => err },
    "wasi:cli/terminal-input": { TerminalInput },
    "wasi:cli/terminal-output": { TerminalOutput },
    "wasi:cli/terminal-stdin": { getTerminalStdin: () => undefined },
    "wasi:cli/terminal-stdout": { getTerminalStdout: () => undefined },
    "wasi:cli/terminal-stderr": { getTerminalStderr: () => undefined },
    "wasi:clocks/monotonic-clock": {
      now: () => process.hrtime.bigint(),
      resolution: () => 1n,
      subscribeInstant: (/** @type {bigint} */ at) => new Pollable(at),
      subscribeDuration: (/** @type {bigint} */ after) => new Pollable(process.hrtime.bigint() + after),
    },
    "wasi:clocks/wall-clock": {
      now: () => {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    },
    "wasi:filesystem/preopens": { getDirectories: () => [] },
    "wasi:filesystem/types": { Descriptor, DirectoryEntryStream, filesystemErrorCode: () => undefined },
    "wasi:io/error": { Error: IoError },
    "wasi:io/poll": { Pollable, poll },
    "wasi:io/streams": { InputStream, OutputStream },
    "wasi:random/random": { getRandomBytes: bytes, getRandomU64: u64 },
    "wasi:random/insecure": { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 },
    "wasi:random/insecure-seed": { insecureSeed: () => [u64(), u64()] },
    "wasi:sockets/network": { Network },
    "wasi:sockets/instance-network": { instanceNetwork: () => new Network() },
    "wasi:sockets/tcp": { TcpSocket },
    "wasi:sockets/tcp-create-socket": { createTcpSocket: refused },
    "wasi:sockets/udp": { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    "wasi:sockets/udp-create-socket": { createUdpSocket: refused },
    "wasi:sockets/ip-name-lookup": { ResolveAddressStream, resolveAddresses: refused },
  };
}
