import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Engine } from "inf-wasi";
import { MODEL, greedy } from "./support.mjs";

test("a program that never closes its engine or sessions still exits", async () => {
  // Workers hold the process open only while a request is in flight.
  const script = `
    import { Engine } from "inf-wasi";
    const engine = await Engine.create({ models: { gemma: process.env.INF_WASI_MODEL }, threads: 1, warmWorker: true });
    const session = engine.session("gemma");
    const c = await session.complete("Water boils at", { temperature: 0, maxTokens: 4 });
    engine.session("gemma");
    console.log(c.finishReason);
  `;
  const cwd = fileURLToPath(new URL(".", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd,
    env: { ...process.env, INF_WASI_MODEL: MODEL },
    timeout: 120_000,
  });
  assert.equal(stdout.trim(), "length");
});

test("with warmWorker, sessions start in a worker made ahead of need and answer alike", async () => {
  const cold = await Engine.create({ models: { gemma: MODEL }, threads: 1, contextSize: 2048 });
  const warm = await Engine.create({ models: { gemma: MODEL }, threads: 1, contextSize: 2048, warmWorker: true });
  const want = (await cold.session("gemma").complete("The capital of France is", greedy(8))).text;
  for (let i = 0; i < 3; i++) {
    const session = warm.session("gemma");
    assert.equal((await session.complete("The capital of France is", greedy(8))).text, want);
    await session.close();
  }
  await Promise.all([cold.close(), warm.close()]);
  await assert.rejects(Engine.create({ models: { gemma: MODEL }, warmWorker: "yes" }), { code: "invalid-input" });
});
