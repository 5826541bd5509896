// One file to deploy: a model packed into the .wasm (`inf-wasi pack`) opens with one call.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Engine, InfWasiError } from "inf-wasi";
import { greedy, MODEL, openEngine, testImages, tinyProjector } from "./support.mjs";

const COMMAND = join(fileURLToPath(new URL("..", import.meta.url)), "node_modules", ".bin", "inf-wasi");
const SCRATCH = mkdtempSync(join(fileURLToPath(new URL("..", import.meta.url)), "scratch", "packed-"));
const PROMPT = "The capital of France is";

function pack(name, ...extra) {
  const out = join(SCRATCH, name);
  execFileSync(COMMAND, ["pack", MODEL, "--name", "gemma", "-o", out, ...extra], { stdio: "ignore" });
  return out;
}

test("a packed model answers as its file does", async () => {
  const packed = await Engine.fromFile(pack("app.wasm"), { threads: 1, contextSize: 2048 });
  const plain = await openEngine();
  try {
    assert.deepEqual(packed.models, ["gemma"]);
    const expected = (await plain.session("gemma").complete(PROMPT, greedy(12))).text;
    assert.equal((await packed.session("gemma").complete(PROMPT, greedy(12))).text, expected);
  } finally {
    await packed.close();
    await plain.close();
  }
});

test("a packed projector sees as its file does", async () => {
  const question = [{ role: "user", content: ["What is in this picture? ", { type: "image", path: join(testImages(), "gradient.png") }] }];
  const projector = tinyProjector();
  const packed = await Engine.fromFile(pack("vision.wasm", "--mmproj", projector), { threads: 1, contextSize: 2048 });
  const plain = await openEngine({ gemma: { path: MODEL, projector } });
  try {
    assert.equal((await packed.modelInfo("gemma")).vision, true);
    const answer = async (engine) => {
      const c = await engine.session("gemma").chat(question, greedy(12));
      return [c.text, c.usage.promptTokens];
    };
    assert.deepEqual(await answer(packed), await answer(plain));
  } finally {
    await packed.close();
    await plain.close();
  }
});

test("files that are not packed models are invalid models", async () => {
  await assert.rejects(Engine.fromFile(MODEL), (e) => e instanceof InfWasiError && e.code === "invalid-model");
  const flipped = pack("flipped.wasm");
  const bytes = readFileSync(flipped);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(flipped, bytes);
  const broken = await Engine.fromFile(flipped, { threads: 1 });
  try {
    await assert.rejects(broken.session("gemma").complete(PROMPT, greedy(2)), (e) => e instanceof InfWasiError && e.code === "invalid-model" && /SHA-256/.test(e.message));
  } finally {
    await broken.close();
  }
});
