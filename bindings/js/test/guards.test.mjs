// The sandbox and the limits in Node: a component asking for more than wasi:nn
// is refused, hostile chat templates are stopped, sizes are capped, and an abort
// stops a long prompt in the middle of a decode. After each, the engine answers
// the next request.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Engine } from "inf-wasi";
// The package's own linking pieces, as its worker uses them (not public API).
import { grantOnly } from "../node_modules/inf-wasi/lib/link.js";
import { wasiNnImports } from "../node_modules/inf-wasi/lib/wasi-nn.js";
import { instantiate as instantiateAborts } from "./probe/aborts.js";
import { instantiate } from "./probe/wants-filesystem.js";
import { BLOATING_TEMPLATE, MODEL, SLOW_TEMPLATE, greedy, templateModel } from "./support.mjs";

const coreModule = (path) => new WebAssembly.Module(readFileSync(new URL(`./probe/${path}`, import.meta.url)));

test("a component that imports a filesystem is refused", () => {
  assert.throws(
    () => instantiate(coreModule, grantOnly(wasiNnImports({}))),
    (e) =>
      e.code === "backend" &&
      e.message.includes("wasi:filesystem/preopens") &&
      e.message.includes("grants a component wasi:nn and nothing else"),
  );
});

test("a component that panics is reported by its own words", () => {
  // The probe traps as the component does on a panic, after saying why: the
  // worker reports what `lastWords` heard instead of the bare trap.
  /** @type {string | null} */
  let heard = null;
  const lastWords = (/** @type {string} */ sentence) => {
    heard = sentence;
  };
  const probe = instantiateAborts(coreModule, grantOnly(wasiNnImports({}, { memoryBytes: 2 ** 20, lastWords })));
  assert.throws(() => probe.run(), WebAssembly.RuntimeError);
  assert.match(String(heard), /^the component panicked .*: the abort probe stops here on purpose$/);
});

const stillAnswers = async (engine) => {
  const session = engine.session("gemma");
  assert.ok((await session.complete("The capital of France is", greedy(4))).text.length > 0);
  await session.close();
};

test("a slow chat template ends with a deadline error", async () => {
  const slow = templateModel("slow", SLOW_TEMPLATE);
  const engine = await Engine.create({ models: { gemma: MODEL, slow }, threads: 1, contextSize: 256, guestTimeLimit: 50 });
  try {
    const session = engine.session("slow");
    const started = performance.now();
    await assert.rejects(session.chat([{ role: "user", content: "hi" }], greedy(4)), {
      code: "cancelled",
      message: /more than 50 ms/,
    });
    assert.ok(performance.now() - started < 5000);
    await assert.rejects(session.complete("Hello", greedy(2)), { code: "backend", message: /earlier failure/ });
    await stillAnswers(engine);
  } finally {
    await engine.close();
  }
});

test("a template that renders gigabytes meets the memory cap", async () => {
  const bloating = templateModel("bloating", BLOATING_TEMPLATE);
  const engine = await Engine.create({
    models: { gemma: MODEL, bloating },
    threads: 1,
    contextSize: 256,
    guestMemoryLimit: 64 * 2 ** 20,
    guestTimeLimit: 60_000,
  });
  try {
    const session = engine.session("bloating");
    await assert.rejects(session.chat([{ role: "user", content: "hi" }], greedy(4)), {
      code: "backend",
      // The component's own report: the allocation that failed at the cap.
      message: /memory cap of 67108864 bytes .*\(an allocation of \d+ bytes failed\)/,
    });
    await stillAnswers(engine);
  } finally {
    await engine.close();
  }
});

test("context, output and image sizes are capped", async () => {
  const engine = await Engine.create({
    models: { gemma: MODEL },
    threads: 1,
    contextSize: 256,
    maxContextSize: 512,
    maxOutputTokens: 5,
    maxImageBytes: 1000,
  });
  try {
    const tooBig = engine.session("gemma", { contextSize: 1024 });
    await assert.rejects(tooBig.complete("x", greedy(1)), { code: "invalid-input", message: /max context size of 512/ });
    await tooBig.close();
    const session = engine.session("gemma");
    await assert.rejects(session.complete("Once upon a time", greedy(6)), { code: "invalid-input", message: /max output tokens/ });
    const c = await session.complete("Once upon a time", { temperature: 0 });
    assert.equal(c.usage.completionTokens, 5);
    assert.equal(c.finishReason, "length");
    const image = (n) => [{ role: "user", content: [{ type: "image", image: new Uint8Array(n) }] }];
    await assert.rejects(session.chat(image(1001), greedy(4)), { code: "invalid-input", message: /max image size is 1000 bytes/ });
    await assert.rejects(session.chat(image(1000), greedy(4)), { code: "unsupported" });
    assert.ok((await session.complete("The capital of France is", greedy(4))).text.length > 0);
    await session.close();
  } finally {
    await engine.close();
  }
});

test("bad limits are invalid input", async () => {
  const bad = [
    { maxOutputTokens: 0 },
    { maxContextSize: -1 },
    { maxImageBytes: 1.5 },
    { maxAudioSeconds: 0 },
    { maxAudioSeconds: 2 ** 32 },
    { maxOutputTokens: "5" },
    { guestTimeLimit: 0 },
    { guestTimeLimit: Infinity },
    { guestMemoryLimit: 1000 },
  ];
  for (const options of bad) {
    await assert.rejects(Engine.create({ models: { gemma: MODEL }, ...options }), { code: "invalid-input" });
  }
});

test("an abort stops a long prompt within 100 ms, and the session answers as a fresh one", async () => {
  const engine = await Engine.create({ models: { gemma: MODEL }, threads: 1, contextSize: 2048 });
  try {
    const session = engine.session("gemma");
    // The session's worker loads the model first (about a second): an abort
    // reaches a request only once the worker runs it, so start from a ready one.
    await session.complete("Hi", greedy(1));
    const controller = new AbortController();
    const prompt = "The quick brown fox jumps over the lazy dog. ".repeat(180);
    const running = session.complete(prompt, greedy(4, { signal: controller.signal }));
    // Abort once prompt evaluation is under way, not after a guessed delay.
    const before = session.promptBatchesStarted();
    const deadline = performance.now() + 30000;
    while (session.promptBatchesStarted() === before && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.ok(session.promptBatchesStarted() > before, "prompt evaluation never started");
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(running, { code: "cancelled" });
    const latency = performance.now() - abortedAt;
    console.log(`prompt evaluation stopped ${latency.toFixed(1)} ms after the abort`);
    assert.ok(latency < 100, `took ${latency} ms`);
    const fresh = engine.session("gemma");
    const answer = async (s) => (await s.complete("The capital of France is", greedy(8))).text;
    assert.equal(await answer(session), await answer(fresh));
    await Promise.all([session.close(), fresh.close()]);
  } finally {
    await engine.close();
  }
});

test("an aborted chat turn leaves no trace", async () => {
  const engine = await Engine.create({ models: { gemma: MODEL }, threads: 1, contextSize: 2048 });
  try {
    const first = [{ role: "user", content: "Name a colour." }];
    const after = [{ role: "user", content: "Name a fruit." }];
    const session = engine.session("gemma");
    await session.chat(first, greedy(8));
    const before = await session.history();
    const controller = new AbortController();
    const story = [{ role: "user", content: "Write a long story about a dragon." }];
    let pieces = 0;
    await assert.rejects(
      async () => {
        for await (const _piece of session.chatStream(story, greedy(2000, { signal: controller.signal }))) {
          if (++pieces === 5) controller.abort();
        }
      },
      { code: "cancelled" },
    );
    // Neither the question nor part of an answer stays behind.
    assert.deepEqual(await session.history(), before);
    const fresh = engine.session("gemma");
    await fresh.chat(first, greedy(8));
    assert.equal((await session.chat(after, greedy(8))).text, (await fresh.chat(after, greedy(8))).text);
    await Promise.all([session.close(), fresh.close()]);
  } finally {
    await engine.close();
  }
});
