// The README's JS example is examples/quickstart.mjs, verbatim, and it runs.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { join } from "node:path";
import { MODEL, REPO, plugins, testAudio, testImages, tinyAudioProjector, tinyProjector } from "./support.mjs";

// ci/js.sh copies the examples beside the tests, into the project that installed the package.
const example = fileURLToPath(new URL("../examples/quickstart.mjs", import.meta.url));

test("the README shows the example verbatim", () => {
  const readme = readFileSync(`${REPO}/README.md`, "utf8");
  assert.ok(readme.includes("```js\n" + readFileSync(example, "utf8") + "```"));
});

const run = async (file, extra = {}) => {
  const env = { ...process.env, INF_WASI_MODEL: MODEL, ...extra };
  return (await promisify(execFile)(process.execPath, [file], { env, timeout: 600_000 })).stdout;
};

test("the example runs", async () => {
  const stdout = await run(example);
  assert.match(stdout, /640 dimensions/);
  assert.match(stdout, /model-not-found/);
});

test("the chat example runs: history, KV reuse, a timed-out reply", async () => {
  const stdout = await run(fileURLToPath(new URL("../examples/chat.mjs", import.meta.url)));
  assert.match(stdout, /\[(stop|length), \d+ tokens\]/);
  assert.match(stdout, /\[[1-9]\d* prompt tokens reused\]/);
  assert.match(stdout, /cancelled after 300 ms/);
  assert.match(stdout, /system user assistant user assistant\n/);
});

test("the image example is in the README verbatim, and runs", async () => {
  const vision = fileURLToPath(new URL("../examples/vision.mjs", import.meta.url));
  const readme = readFileSync(`${REPO}/README.md`, "utf8");
  assert.ok(readme.includes("```js\n" + readFileSync(vision, "utf8") + "```"));
  const images = testImages();
  const stdout = await run(vision, { INF_WASI_PROJECTOR: tinyProjector(), INF_WASI_IMAGE: join(images, "gradient.png") });
  assert.match(stdout, /vision: true/);
});

test("the audio example is in the README verbatim, and runs", async () => {
  const example = fileURLToPath(new URL("../examples/audio.mjs", import.meta.url));
  const readme = readFileSync(`${REPO}/README.md`, "utf8");
  assert.ok(readme.includes("```js\n" + readFileSync(example, "utf8") + "```"));
  const audio = testAudio();
  const stdout = await run(example, { INF_WASI_PROJECTOR: tinyAudioProjector(), INF_WASI_AUDIO: join(audio, "tones-1s.wav") });
  assert.match(stdout, /audio: true/);
});

test("the typed example is in the README verbatim, and runs", async () => {
  const typed = fileURLToPath(new URL("../examples/typed.mjs", import.meta.url));
  const readme = readFileSync(`${REPO}/README.md`, "utf8");
  assert.ok(readme.includes("```js\n" + readFileSync(typed, "utf8") + "```"));
  const stdout = await run(typed);
  assert.match(stdout, /^.*, .*: \d+ people\n$/);
});

test("the tools example is in the README verbatim, and runs", async () => {
  const tools = fileURLToPath(new URL("../examples/tools.mjs", import.meta.url));
  const readme = readFileSync(`${REPO}/README.md`, "utf8");
  assert.ok(readme.includes("```js\n" + readFileSync(tools, "utf8") + "```"));
  // ci/js.sh passes the instruct model in INF_WASI_CHAT_MODEL, which the example reads.
  const stdout = await run(tools);
  assert.match(stdout, /^get_weather\(\{"city":/);
});

test("the plugin example is in the README verbatim, and runs", async () => {
  const example = fileURLToPath(new URL("../examples/plugin.mjs", import.meta.url));
  const readme = readFileSync(`${REPO}/README.md`, "utf8");
  assert.ok(readme.includes("```js\n" + readFileSync(example, "utf8") + "```"));
  const stdout = await run(example, { INF_WASI_PLUGIN: join(plugins(), "rust-pipeline.wasm") });
  assert.deepEqual(Object.keys(JSON.parse(stdout)), ["completion", "topic"]);
});
