// Images in Node: the default model with a tiny random-weight projector (4
// embeddings per image). What is deterministic is checked.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Engine } from "inf-wasi";
import { MODEL, collect, greedy, testImages, tinyProjector } from "./support.mjs";

let engine;
let images;
before(async () => {
  images = testImages();
  const models = { "gemma-vision": { path: MODEL, projector: tinyProjector() }, gemma: MODEL };
  engine = await Engine.create({ models, threads: 1, contextSize: 512 });
});
after(() => engine.close());

const ask = (image) => [{ role: "user", content: ["What is in this picture? ", { type: "image", ...image }] }];

test("an image question streams an answer and repeats exactly", async () => {
  assert.equal((await engine.modelInfo("gemma-vision")).vision, true);
  assert.equal((await engine.modelInfo("gemma")).vision, false);
  const session = engine.session("gemma-vision");
  const stream = session.chatStream(ask({ path: join(images, "gradient.png") }), greedy(6));
  const pieces = await collect(stream);
  const first = stream.completion;
  assert.equal(pieces.join(""), first.text);
  const bytes = readFileSync(join(images, "gradient.png"));
  for (const image of [{ image: bytes }, { image: new Uint8Array(bytes) }]) {
    const other = engine.session("gemma-vision");
    const again = await other.chat(ask(image), greedy(6));
    assert.deepEqual([again.text, again.usage.promptTokens], [first.text, first.usage.promptTokens]);
    await other.close();
  }
  const large = engine.session("gemma-vision");
  const larger = await large.chat(ask({ path: join(images, "large.png") }), greedy(2));
  assert.equal(larger.usage.promptTokens, first.usage.promptTokens, "every image is 4 tokens");
  const fromJpeg = engine.session("gemma-vision");
  const jpeg = await fromJpeg.chat(ask({ path: join(images, "gradient.jpg") }), greedy(2));
  assert.equal(jpeg.usage.promptTokens, first.usage.promptTokens, "a JPEG too");
  await fromJpeg.close();
  await large.close();
  const followUp = await session.chat([{ role: "user", content: "And its colour?" }], greedy(4));
  assert.ok(followUp.usage.promptTokens > first.usage.promptTokens);
  assert.equal((await session.history()).length, 4);
  await session.close();
});

test("bad images are invalid input, and a text model refuses images", async () => {
  const session = engine.session("gemma-vision");
  for (const name of ["truncated.png", "not-an-image.jpg", "zero.png", "huge-header.png"]) {
    await assert.rejects(session.chat(ask({ path: join(images, name) }), greedy(2)), { code: "invalid-input" }, name);
  }
  await assert.rejects(session.chat(ask({ image: new Uint8Array(0) }), greedy(2)), { code: "invalid-input" });
  await assert.rejects(session.chat(ask({ path: join(images, "no-such.png") }), greedy(2)), { code: "invalid-input" });
  assert.ok((await session.chat(ask({ path: join(images, "gradient.png") }), greedy(2))).usage.completionTokens > 0);
  await session.close();
  const text = engine.session("gemma");
  await assert.rejects(text.chat(ask({ path: join(images, "gradient.png") }), greedy(2)), { code: "unsupported" });
  await text.close();
});
