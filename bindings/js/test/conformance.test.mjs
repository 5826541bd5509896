// The shared conformance cases (tests/conformance/cases.json) through the Node
// package: every outcome equals the Rust runner's (the reference, checked there
// against llama.cpp itself) and holds what the case expects. This runner only
// converts; the format is in tests/conformance/README.md.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Engine, InfWasiError } from "inf-wasi";
import { MODEL, REPO, collect } from "./support.mjs";

const { cases } = JSON.parse(readFileSync(`${REPO}/tests/conformance/cases.json`, "utf8"));
const referenceFile = `${REPO}/target/conformance/reference.json`;

let reference;
let fixtures;
const engines = new Map();

before(() => {
  if (!existsSync(referenceFile)) {
    // The Rust runner writes it; run it here rather than depend on suite order.
    execFileSync("cargo", ["test", "--release", "--workspace", "--locked", "--test", "conformance"], {
      cwd: REPO,
      stdio: "inherit",
    });
  }
  reference = JSON.parse(readFileSync(referenceFile, "utf8"));
  const out = execFileSync("python3", [`${REPO}/tests/conformance/fixtures.py`], {
    encoding: "utf8",
    env: { ...process.env, INF_WASI_MODEL: MODEL },
  });
  fixtures = JSON.parse(readFileSync(out.trim(), "utf8"));
});
after(() => Promise.all([...engines.values()].map(async (e) => (await e).close())));

function engine(name) {
  if (!engines.has(name)) {
    const spec = fixtures.engines[name];
    const models = Object.fromEntries(
      Object.entries(spec.models).map(([n, m]) => [n, m.projector ? { path: m.path, projector: m.projector } : m.path]),
    );
    const guards = {};
    if (spec.guest_time_limit_ms) guards.guestTimeLimit = spec.guest_time_limit_ms;
    if (spec.guest_memory_limit) guards.guestMemoryLimit = spec.guest_memory_limit;
    if (spec.max_audio_seconds) guards.maxAudioSeconds = spec.max_audio_seconds;
    engines.set(name, Engine.create({ models, threads: spec.threads, contextSize: spec.context_size, ...guards }));
  }
  return engines.get(name);
}

/** A string in the file: literal, or `{ repeat, times }`. */
const text = (v) => (typeof v === "string" ? v : v.repeat.repeat(v.times));

const camel = (key) => key.replace(/_(.)/g, (_, c) => c.toUpperCase());
const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function options(o = {}) {
  const out = Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));
  if (out.stop) out.stop = out.stop.map(text);
  return out;
}

function messages(ms) {
  const part = (p) => {
    if (p.image !== undefined) return { type: "image", image: readFileSync(join(fixtures.media, p.image)) };
    if (p.audio !== undefined) return { type: "audio", path: join(fixtures.media, p.audio) };
    return { type: "text", text: text(p.text) };
  };
  return ms.map((m) => ({
    role: m.role,
    content: Array.isArray(m.content) ? m.content.map(part) : text(m.content),
    toolCalls: m.tool_calls,
    toolCallId: m.tool_call_id,
  }));
}

const calls = (cs) => cs.map(({ id, name, arguments: args }) => ({ id, name, arguments: args }));

function completion(c) {
  const u = c.usage;
  return {
    text: c.text,
    finish_reason: c.finishReason,
    usage: { prompt_tokens: u.promptTokens, cached_tokens: u.cachedTokens, completion_tokens: u.completionTokens },
    tool_calls: calls(c.toolCalls),
  };
}

async function streamed(stream) {
  const pieces = await collect(stream);
  return { ...completion(stream.completion), pieces };
}

/** A chat stream read as events: text pieces, and calls that must be the completion's. */
async function evented(stream) {
  const events = await collect(stream);
  const done = stream.completion;
  assert.deepEqual(events.filter((e) => e.type === "tool-call").map((e) => e.call), done.toolCalls);
  return { ...completion(done), pieces: events.filter((e) => e.type === "text").map((e) => e.text) };
}

function historyEntry(m) {
  const parts = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
  const joined = parts.filter((p) => p.type === "text").map((p) => p.text).join("");
  return {
    role: m.role,
    text: joined,
    images: parts.filter((p) => p.type === "image").length,
    audio: parts.filter((p) => p.type === "audio").length,
    tool_calls: calls(m.toolCalls),
    tool_call_id: m.toolCallId ?? null,
  };
}

/** Runs `f`; a typed error becomes its code, anything else fails the test. */
async function outcome(f) {
  try {
    return await f();
  } catch (error) {
    if (error instanceof InfWasiError) return { error: error.code };
    throw error;
  }
}

function step(session, s) {
  return outcome(async () => {
    const o = options(s.options);
    if (s.complete !== undefined) return completion(await session.complete(text(s.complete), o));
    if (s.stream !== undefined) return streamed(session.stream(text(s.stream), o));
    if (s.chat !== undefined) return completion(await session.chat(messages(s.chat), o));
    if (s.chat_stream !== undefined) return evented(session.chatEvents(messages(s.chat_stream), o));
    if (s.history) return { history: (await session.history()).map(historyEntry) };
    if (s.reset) return (await session.reset(), {});
    throw new Error(`unknown step ${JSON.stringify(s)}`);
  });
}

async function run(e, c) {
  const model = c.model ?? "gemma";
  return outcome(async () => {
    switch (c.op) {
      case "session": {
        const session = e.session(model, { contextSize: c.session?.context_size, systemPrompt: c.session?.system_prompt });
        try {
          const steps = [];
          for (const s of c.steps) steps.push(await step(session, s));
          // Opening is lazy in Node: a session that never opened says so at its first request.
          if (steps.length === 0) await session.history();
          return { steps };
        } finally {
          await session.close();
        }
      }
      case "embed":
        return { vectors: (await e.embed(model, c.texts.map(text))).map((v) => Array.from(v)) };
      case "tokenize":
        return { tokens: Array.from(await e.tokenize(model, text(c.text), { addSpecial: c.add_special })) };
      case "tokenize_chat":
        return { tokens: await e.tokenizeChat(model, messages(c.messages)) };
      case "detokenize":
        return { text: await e.detokenize(model, c.tokens) };
      case "model_info": {
        const info = await e.modelInfo(model);
        const out = Object.fromEntries(Object.entries(info).map(([k, v]) => [snake(k), typeof v === "bigint" ? Number(v) : v]));
        return { ...out, chat_template: out.chat_template ?? null };
      }
    }
    throw new Error(`unknown op ${c.op}`);
  });
}

/** `outcome` holds everything `expect` says: objects by key, arrays element by element. */
function contains(got, expect) {
  if (Array.isArray(expect)) return Array.isArray(got) && got.length === expect.length && expect.every((e, i) => contains(got[i], e));
  if (expect !== null && typeof expect === "object") {
    return got !== null && typeof got === "object" && Object.entries(expect).every(([k, v]) => k in got && contains(got[k], v));
  }
  return got === expect;
}

/** Equal, with non-integers (embeddings) equal to a millionth. */
function same(a, b) {
  if (typeof a === "number" && typeof b === "number" && !(Number.isInteger(a) && Number.isInteger(b))) {
    return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a).sort();
    return JSON.stringify(keys) === JSON.stringify(Object.keys(b).sort()) && keys.every((k) => same(a[k], b[k]));
  }
  return a === b;
}

for (const c of cases) {
  test(c.id, async () => {
    const got = await run(await engine(c.engine ?? "default"), c);
    assert.ok(contains(got, c.expect ?? {}), `expected ${JSON.stringify(c.expect)}, got ${JSON.stringify(got)}`);
    for (const s of got.steps ?? []) if (s.pieces) assert.equal(s.pieces.join(""), s.text);
    assert.ok(same(got, reference[c.id]), `the Rust host gave ${JSON.stringify(reference[c.id])}, this one ${JSON.stringify(got)}`);
  });
}
