import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { collect, greedy, openEngine } from "./support.mjs";

let engine;
before(async () => (engine = await openEngine()));
after(() => engine.close());

test("a stream's pieces concatenate to the completion", async () => {
  const whole = await engine.session("gemma").complete("Once upon a time", greedy(24));
  const stream = engine.session("gemma").stream("Once upon a time", greedy(24));
  const pieces = await collect(stream);
  assert.ok(pieces.length > 1);
  assert.equal(pieces.join(""), whole.text);
  assert.deepEqual(stream.completion, whole);
});

test("a seed reproduces sampling", async () => {
  const session = engine.session("gemma");
  const sample = async (seed) =>
    (await session.complete("My favourite animal is", { temperature: 1.5, topK: 0, topP: 1, minP: 0, seed, maxTokens: 16 }))
      .text;
  const seven = await sample(7);
  assert.equal(await sample(7), seven);
  const others = [await sample(1), await sample(2), await sample(3)];
  assert.ok(others.some((text) => text !== seven));
});

test("stop strings and maxTokens", async () => {
  const session = engine.session("gemma");
  const prompt = "The three primary colors are";
  const pieces = await collect(session.stream(prompt, greedy(8)));
  // The end of one piece, the next, and the start of the one after: spans two token boundaries.
  const stop = pieces[0].at(-1) + pieces[1] + pieces[2][0];
  const full = pieces.join("");
  const stopped = await session.complete(prompt, greedy(8, { stop }));
  assert.equal(stopped.text, full.slice(0, full.indexOf(stop)));
  assert.equal(stopped.finishReason, "stop");
  const limited = await session.complete("Count: 1, 2, 3,", greedy(5));
  assert.equal(limited.usage.completionTokens, 5);
  assert.equal(limited.finishReason, "length");
});

test("JSON-schema output parses and follows the schema", async () => {
  const schema = {
    type: "object",
    properties: { name: { type: "string", maxLength: 24 }, age: { type: "integer" } },
    required: ["name", "age"],
  };
  const c = await engine.session("gemma").complete("A person as JSON:", greedy(64, { jsonSchema: schema }));
  const value = JSON.parse(c.text);
  assert.deepEqual(Object.keys(value).sort(), ["age", "name"]);
  assert.ok(Number.isInteger(value.age));
});

test("chat reuses the KV cache and keeps the history", async () => {
  const session = engine.session("gemma", { systemPrompt: "Answer briefly." });
  const first = await session.chat([{ role: "user", content: "Name a fruit." }], greedy(12));
  const second = await session.chat([{ role: "user", content: [{ type: "text", text: "Name a vegetable." }] }], greedy(12));
  const firstTotal = first.usage.promptTokens + first.usage.completionTokens;
  // The template trims the reply, so a trailing newline may be evaluated again.
  assert.ok(second.usage.cachedTokens >= firstTotal - 2 && second.usage.cachedTokens <= firstTotal);
  const messageTokens = (await engine.tokenize("gemma", "Name a vegetable.", { addSpecial: false })).length;
  const evaluated = second.usage.promptTokens - second.usage.cachedTokens;
  assert.ok(evaluated >= messageTokens + 9);
  assert.ok(evaluated <= messageTokens + 10 + (firstTotal - second.usage.cachedTokens));
  const roles = (await session.history()).map((m) => m.role);
  assert.deepEqual(roles, ["system", "user", "assistant", "user", "assistant"]);
  assert.equal((await session.history())[3].content, "Name a vegetable.");
  await session.reset();
  assert.deepEqual((await session.history()).map((m) => m.role), ["system"]);
  await session.close();
});

test("chat streams piece by piece", async () => {
  const session = engine.session("gemma");
  const stream = session.chatStream([{ role: "user", content: "Say hello." }], greedy(8));
  const text = (await collect(stream)).join("");
  assert.equal(text, stream.completion?.text);
  assert.equal((await session.history()).at(-1)?.content, text);
  await session.close();
});

test("embeddings, tokens and model info", async () => {
  const info = await engine.modelInfo("gemma");
  assert.deepEqual([info.architecture, info.embeddingSize, info.vision], ["gemma3", 640, false]);
  assert.equal(typeof info.parameters, "number");
  const [a, b] = await engine.embed("gemma", ["The cat sat.", "Quantum chromodynamics"]);
  assert.equal(a.length, 640);
  assert.notDeepEqual(a, b);
  assert.deepEqual((await engine.embed("gemma", "The cat sat."))[0], a);
  const norm = Math.hypot(...a);
  assert.ok(Math.abs(norm - 1) < 1e-3);
  const tokens = await engine.tokenize("gemma", "Hello world", { addSpecial: false });
  assert.equal(await engine.detokenize("gemma", tokens), "Hello world");
});

test("two sessions generate at the same time, each as it would alone", async () => {
  const prompts = ["Water boils at", "The capital of France is"];
  const serial = [];
  for (const p of prompts) serial.push((await engine.session("gemma").complete(p, greedy(16))).text);
  const sessions = prompts.map(() => engine.session("gemma"));
  const together = await Promise.all(sessions.map((s, i) => s.complete(prompts[i], greedy(16))));
  assert.deepEqual(together.map((c) => c.text), serial);

  // While one session streams a long answer, the other answers a short one.
  let longDone = false;
  const long = collect(sessions[0].stream("Once upon a time", greedy(96))).then((pieces) => {
    longDone = true;
    return pieces;
  });
  const short = await sessions[1].complete(prompts[0], greedy(4));
  assert.equal(longDone, false, "the short request waited for the long one");
  assert.ok(serial[0].startsWith(short.text));
  assert.ok((await long).length > 50);
  await Promise.all(sessions.map((s) => s.close()));
});

test("aborting a stream ends it with 'cancelled', and the session goes on", async () => {
  const session = engine.session("gemma");
  const controller = new AbortController();
  const pieces = [];
  await assert.rejects(
    (async () => {
      for await (const piece of session.stream("Once upon a time", greedy(200, { signal: controller.signal }))) {
        pieces.push(piece);
        if (pieces.length === 3) controller.abort();
      }
    })(),
    (e) => e.code === "cancelled" && e.name === "InfWasiError",
  );
  assert.ok(pieces.length >= 3 && pieces.length < 200, `${pieces.length} pieces`);
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(session.complete("x", { signal: aborted.signal }), { code: "cancelled" });
  assert.match((await session.complete("Water boils at", greedy(4))).text, /100/);
  await session.close();
});

test("leaving a for-await loop early cancels the generation", async () => {
  const session = engine.session("gemma");
  const stream = session.stream("Once upon a time", greedy(500));
  for await (const piece of stream) {
    assert.equal(typeof piece, "string");
    break;
  }
  // Leaving the loop cancelled the generation: it ended without a completion,
  // where one run to its end (500 tokens or end of text) has one.
  assert.equal(stream.completion, undefined);
  assert.match((await session.complete("Water boils at", greedy(4))).text, /100/);
  await session.close();
});

test("the event loop stays responsive during generation", async () => {
  const session = engine.session("gemma");
  let worst = 0;
  let running = true;
  const ticker = (async () => {
    while (running) {
      const before = performance.now();
      await sleep(5);
      worst = Math.max(worst, performance.now() - before - 5);
    }
  })();
  const pieces = await collect(session.stream("Once upon a time", greedy(48)));
  running = false;
  await ticker;
  assert.ok(pieces.length > 10);
  assert.ok(worst < 20, `a 5 ms timer fired ${worst.toFixed(1)} ms late`);
  await session.close();
});
