import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { collect, greedy, openEngine } from "./support.mjs";

let engine;
before(async () => (engine = await openEngine()));
after(() => engine.close());

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
  const started = performance.now();
  const pieces = await collect(session.stream("Once upon a time", greedy(48)));
  const generating = performance.now() - started;
  running = false;
  await ticker;
  assert.ok(pieces.length > 10);
  // Generation on this thread would hold a timer back for all of it; a busy
  // machine may hold one back for a scheduler's hiccup, far less.
  console.log(`a 5 ms timer fired at worst ${worst.toFixed(1)} ms late during ${generating.toFixed(0)} ms of generation`);
  assert.ok(worst < generating / 4, `a 5 ms timer fired ${worst.toFixed(1)} ms late in ${generating.toFixed(0)} ms`);
  await session.close();
});
