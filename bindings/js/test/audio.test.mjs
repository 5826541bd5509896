// Audio in Node: the default model with a tiny random-weight Ultravox projector
// (50 embeddings per 30-second chunk). The ways JavaScript takes audio; the
// shared audio cases (token counts, malformed files, refusals) are in tests/conformance.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Engine } from "inf-wasi";
import { MODEL, greedy, testAudio, tinyAudioProjector } from "./support.mjs";

let engine;
let audio;
let projector;
before(async () => {
  audio = testAudio();
  projector = tinyAudioProjector();
  engine = await Engine.create({ models: { "gemma-audio": { path: MODEL, projector } }, threads: 1, contextSize: 512 });
});
after(() => engine.close());

const ask = (part) => [{ role: "user", content: ["What do you hear? ", { type: "audio", ...part }] }];

test("audio as a path, a Buffer or a Uint8Array gives one answer", async () => {
  const bytes = readFileSync(join(audio, "tones-1s.wav"));
  const answers = new Set();
  for (const part of [{ path: join(audio, "tones-1s.wav") }, { audio: bytes }, { audio: new Uint8Array(bytes) }]) {
    const session = engine.session("gemma-audio");
    const c = await session.chat(ask(part), greedy(6));
    answers.add(JSON.stringify([c.text, c.usage.promptTokens]));
    await session.close();
  }
  assert.equal(answers.size, 1);
});

test("the history gives audio back as audio, and replays as it came", async () => {
  const session = engine.session("gemma-audio");
  const first = await session.chat(ask({ path: join(audio, "tones-1s.wav") }), greedy(2));
  const [asked] = await session.history();
  assert.equal(asked.content[1].type, "audio");
  assert.deepEqual(Buffer.from(asked.content[1].audio), readFileSync(join(audio, "tones-1s.wav")));
  const again = engine.session("gemma-audio");
  assert.equal((await again.chat([asked], greedy(2))).usage.promptTokens, first.usage.promptTokens);
  await Promise.all([session.close(), again.close()]);
});

test("an unreadable file, a bad part and a length limit are invalid input", async () => {
  const session = engine.session("gemma-audio");
  await assert.rejects(session.chat(ask({ path: join(audio, "no-such.wav") }), greedy(2)), { code: "invalid-input" });
  await assert.rejects(session.chat(ask({ audio: "not bytes" }), greedy(2)), { code: "invalid-input" });
  await session.close();
  const short = await Engine.create({ models: { a: { path: MODEL, projector } }, threads: 1, maxAudioSeconds: 30 });
  await assert.rejects(short.session("a").chat(ask({ path: join(audio, "tones-31s.wav") }), greedy(1)), {
    code: "invalid-input",
    message: /max audio length of 30 seconds/,
  });
  await short.close();
  await assert.rejects(Engine.create({ models: { a: MODEL }, maxAudioSeconds: 0 }), { code: "invalid-input" });
});
