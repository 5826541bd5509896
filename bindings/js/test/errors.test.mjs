import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ERROR_CODES, Engine, InfWasiError } from "inf-wasi";
import { MODEL, REPO, collect, greedy, openEngine } from "./support.mjs";

let engine;
before(async () => (engine = await openEngine()));
after(() => engine.close());

const stillWorks = async (e = engine) => {
  const session = e.session("gemma");
  assert.match((await session.complete("Water boils at", greedy(4))).text, /100/);
  await session.close();
};

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

test("an unknown model name", async () => {
  assert.throws(() => engine.session("no-such-model"), code("model-not-found"));
  await assert.rejects(engine.embed("no-such-model", "x"), code("model-not-found"));
  await assert.rejects(engine.modelInfo("no-such-model"), code("model-not-found"));
  await stillWorks();
});

test("broken model files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "inf-wasi-"));
  const head = readFileSync(MODEL).subarray(0, 1 << 20);
  writeFileSync(join(dir, "trunc.gguf"), head);
  writeFileSync(join(dir, "random.gguf"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  const broken = await Engine.create({
    models: {
      trunc: join(dir, "trunc.gguf"),
      random: join(dir, "random.gguf"),
      missing: "/nonexistent.gguf",
      gemma: MODEL,
    },
    threads: 1,
  });
  for (const name of ["trunc", "random", "missing"]) {
    const session = broken.session(name);
    await assert.rejects(session.complete("x"), code("invalid-model"));
    await session.close();
    await assert.rejects(broken.tokenize(name, "x"), code("invalid-model"));
  }
  await stillWorks(broken);
  await broken.close();
});

test("bad requests are invalid-input, and the session goes on", async () => {
  const session = engine.session("gemma");
  const bad = [
    ["", {}],
    ["x", { temperature: -1 }],
    ["x", { topP: 1.5 }],
    ["x", { maxTokens: 0 }],
    ["x", { maxTokens: -3 }],
    ["x", { maxTokens: 1.5 }],
    ["x", { temperature: "hot" }],
    ["x", { jsonSchema: "{not json" }],
    ["x", { jsonSchema: { type: "banana" } }],
    ["x", { grammar: "root ::= (" }],
    ["x", { stop: [""] }],
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
  await assert.rejects(session.chat([]), code("invalid-input"));
  await assert.rejects(session.chat("hello"), code("invalid-input"));
  await assert.rejects(session.chat([{ role: "user", content: [{ type: "image", image: "x" }] }]), code("invalid-input"));
  await assert.rejects(
    session.chat([{ role: "user", content: ["look", { type: "image", image: new Uint8Array([0x89, 0x50]) }] }]),
    code("unsupported"),
  );
  assert.throws(() => engine.session("gemma", { contextSize: -1 }), code("invalid-input"));
  assert.throws(() => engine.session(undefined), code("invalid-input"));
  const zero = engine.session("gemma", { contextSize: 0 });
  await assert.rejects(zero.complete("x"), code("invalid-input"));
  await zero.close();
  await assert.rejects(engine.tokenize("gemma", 5), code("invalid-input"));
  await assert.rejects(engine.detokenize("gemma", [-1]), code("invalid-input"));
  await assert.rejects(engine.embed("gemma", [null]), code("invalid-input"));
  await assert.rejects(Engine.create({ models: {} }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, threads: -2 }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, threads: 5000 }), code("invalid-input"));
  await assert.rejects(Engine.create(undefined), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, context_size: 512 }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { gemma: { path: MODEL, thread: 1 } } }), code("invalid-input"));
  await assert.rejects(Engine.create({ models: { "": MODEL } }), code("invalid-input"));
  assert.throws(() => engine.session("gemma", { system: "x" }), code("invalid-input"));
  assert.match((await session.complete("Water boils at", greedy(4))).text, /100/);
  await session.close();
});

/** Gemma's byte tokens: `<0x00>` is token 238, so byte `b` is token 238 + b. */
const BYTE_TOKEN = 238;

test("huge strings and invalid UTF-8 from the model", async () => {
  const session = engine.session("gemma");
  await assert.rejects(session.complete("lorem ipsum ".repeat((4 << 20) >> 4), greedy(2)), { code: "context-overflow" });
  await assert.rejects(session.complete("x", greedy(2, { stop: ["s".repeat(1 << 20)] })), { code: "invalid-input" });
  // A lone lead byte is invalid UTF-8: it becomes U+FFFD; a whole pair is the character.
  assert.equal(await engine.detokenize("gemma", [BYTE_TOKEN + 0xc3]), "\ufffd");
  assert.equal(await engine.detokenize("gemma", [BYTE_TOKEN + 0xc3, BYTE_TOKEN + 0xa9]), "é");
  assert.match((await session.complete("Water boils at", greedy(4))).text, /100/);
  await session.close();
});

test("a prompt longer than the context", async () => {
  const session = engine.session("gemma", { contextSize: 64 });
  await assert.rejects(session.complete("The quick brown fox jumps over the lazy dog. ".repeat(20)), code("context-overflow"));
  const c = await session.complete("Once upon a time", greedy(500));
  assert.equal(c.finishReason, "context-full");
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
  await stillWorks();
});
