import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { ERROR_CODES, Engine, InfWasiError } from "inf-wasi";
import { MODEL, REPO, collect, greedy, openEngine } from "./support.mjs";

let engine;
before(async () => (engine = await openEngine()));
after(() => engine.close());

const code = (expected) => (e) => {
  assert.ok(e instanceof InfWasiError, `not an InfWasiError: ${e}`);
  assert.equal(e.code, expected, e.message);
  return true;
};

test("every case of the WIT error has its code", () => {
  const wit = readFileSync(`${REPO}/wit/inf-wasi.wit`, "utf8");
  const start = wit.indexOf("variant error {");
  const block = wit.slice(start, wit.indexOf("}", start));
  const cases = block
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.endsWith("(string),"))
    .map((line) => line.split("(")[0]);
  assert.equal(cases.length, 7);
  assert.deepEqual([...ERROR_CODES], cases);
  for (const c of cases) {
    const e = new InfWasiError(c, "m");
    assert.equal(e.code, c);
    assert.ok(e instanceof Error);
  }
  assert.equal(new InfWasiError("no-such-case", "m").code, "backend");
});

// The shared bad requests are in tests/conformance; these are what only JavaScript can pass.
test("bad JavaScript values are invalid-input, and the session goes on", async () => {
  const session = engine.session("gemma");
  const bad = [
    ["x", { maxTokens: -3 }],
    ["x", { maxTokens: 1.5 }],
    ["x", { temperature: "hot" }],
    ["x", { stop: [3] }],
    ["x", { seed: 2 ** 40 }],
    ["x", { max_tokens: 3 }],
    ["x", { signal: "soon" }],
    ["\ud800 lone surrogate", {}],
    [42, {}],
    [undefined, {}],
    [null, {}],
    ["x", "options"],
  ];
  for (const [prompt, options] of bad) {
    await assert.rejects(session.complete(prompt, options), code("invalid-input"), JSON.stringify([prompt, options]));
  }
  await assert.rejects(collect(session.stream(42)), code("invalid-input"));
  await assert.rejects(session.chat([{ role: "wizard", content: "hi" }]), code("invalid-input"));
  await assert.rejects(session.chat("hello"), code("invalid-input"));
  await assert.rejects(session.chat([{ role: "user", content: [{ type: "image", image: "x" }] }]), code("invalid-input"));
  assert.throws(() => engine.session("gemma", { contextSize: -1 }), code("invalid-input"));
  assert.throws(() => engine.session(undefined), code("invalid-input"));
  await assert.rejects(engine.tokenize("gemma", 5), code("invalid-input"));
  await assert.rejects(engine.detokenize("gemma", [-1]), code("invalid-input"));
  await assert.rejects(engine.embed("gemma", [null]), code("invalid-input"));
  await assert.rejects(Engine.create({ models: {} }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, threads: -2 }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, threads: 5000 }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, parallel: 0 }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, parallel: 1000 }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, batching: "quick" }), code("invalid-input"));
  await assert.rejects(Engine.create(undefined), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, context_size: 512 }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: { path: MODEL, thread: 1 } } }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { "": MODEL } }), code("invalid-input"));
  assert.throws(() => engine.session("gemma", { system: "x" }), code("invalid-input"));
  assert.match((await session.complete("Water boils at", greedy(4))).text, /100/);
  await session.close();
});

test("a closed session or engine refuses calls", async () => {
  const own = await openEngine();
  const session = own.session("gemma");
  await session.close();
  await assert.rejects(session.complete("x"), code("invalid-input"));
  await assert.rejects(collect(session.stream("x")), code("invalid-input"));
  const open = own.session("gemma");
  await own.close();
  await assert.rejects(open.complete("x"), code("invalid-input"));
  assert.throws(() => own.session("gemma"), code("invalid-input"));
  await assert.rejects(own.embed("gemma", "x"), code("invalid-input"));
  await own.close();
  const session2 = engine.session("gemma");
  assert.match((await session2.complete("Water boils at", greedy(4))).text, /100/, "another engine still answers");
  await session2.close();
});
