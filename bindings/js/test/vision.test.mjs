// Images in Node: the default model with a tiny random-weight projector (4
// embeddings per image). The ways JavaScript takes an image; the shared image
// cases are in tests/conformance.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Engine } from "inf-wasi";
import { MODEL, greedy, testImages, tinyProjector } from "./support.mjs";

let engine;
let images;
before(async () => {
  images = testImages();
  const models = { "gemma-vision": { path: MODEL, projector: tinyProjector() }, gemma: MODEL };
  engine = await Engine.create({ models, threads: 1, contextSize: 512 });
});
after(() => engine.close());

const ask = (image) => [{ role: "user", content: ["What is in this picture? ", { type: "image", ...image }] }];

test("an image as a path, a Buffer or a Uint8Array gives one answer", async () => {
  const bytes = readFileSync(join(images, "gradient.png"));
  const answers = new Set();
  for (const image of [{ path: join(images, "gradient.png") }, { image: bytes }, { image: new Uint8Array(bytes) }]) {
    const session = engine.session("gemma-vision");
    const c = await session.chat(ask(image), greedy(6));
    answers.add(JSON.stringify([c.text, c.usage.promptTokens]));
    await session.close();
  }
  assert.equal(answers.size, 1);
});

test("an image file that cannot be read is invalid input", async () => {
  const session = engine.session("gemma-vision");
  await assert.rejects(session.chat(ask({ path: join(images, "no-such.png") }), greedy(2)), { code: "invalid-input" });
  await session.close();
});
