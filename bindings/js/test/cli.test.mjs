// `npm install inf-wasi` links the `inf-wasi` command into node_modules/.bin.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { greedy, MODEL, openEngine } from "./support.mjs";

// The app the suite runs in installed the package: its bin link is here.
const COMMAND = join(fileURLToPath(new URL("..", import.meta.url)), "node_modules", ".bin", "inf-wasi");

test("the command is linked and runs the CLI", () => {
  const out = spawnSync(COMMAND, ["--version"], { encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /^inf-wasi /);
});

test("the command streams the library's greedy completion and keeps the exit code", async () => {
  const prompt = "The capital of France is";
  const args = ["run", "--raw", "--model", MODEL, "--threads", "1", "--temperature", "0", "--max-tokens", "6", prompt];
  const out = spawnSync(COMMAND, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(out.status, 0, out.stderr);
  const engine = await openEngine();
  try {
    const expected = (await engine.session("gemma").complete(prompt, greedy(6))).text;
    assert.ok(expected.trim());
    assert.equal(out.stdout, `${expected}\n`);
  } finally {
    await engine.close();
  }
  const missing = spawnSync(COMMAND, ["run", "--model", "/nonexistent.gguf", "hi"], { encoding: "utf8" });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no model file/);
});

test("SIGTERM to the launcher stops `inf-wasi serve`, which exits 0", async () => {
  const server = spawn(COMMAND, ["serve", "--model", MODEL, "--port", "0", "--threads", "1", "--parallel", "1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [line] = await once(server.stdout, "data");
  const url = String(line).match(/listening on (\S+)/)?.[1];
  assert.ok(url, String(line));
  const health = await fetch(`${url}/health`);
  assert.deepEqual(await health.json(), { status: "ok" });
  server.kill("SIGTERM");
  const [code] = await once(server, "exit");
  assert.equal(code, 0);
});
