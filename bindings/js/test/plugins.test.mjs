// Plugins through the Node package (jco): the example plugins (examples/plugins/rust
// and examples/plugins/python), a plugin that probes its sandbox, and misbehaving ones.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Engine, InfWasiError } from "inf-wasi";
import { MODEL, REPO, greedy, plugins } from "./support.mjs";

let engine;
let folder;
before(async () => {
  folder = plugins();
  engine = await Engine.create({ models: { gemma: MODEL }, threads: 1, contextSize: 512, guestTimeLimit: 500 });
});
after(() => engine.close());

/** What the example plugins do, through the binding. */
async function directly(text) {
  const completion = (await engine.session("gemma").complete(text, greedy(12))).text;
  const schema = { type: "object", properties: { topic: { enum: ["science", "cooking", "sports", "other"] } }, required: ["topic"] };
  const question = `Which topic is this about: science, cooking, sports or other?\n\n${text}${completion}`;
  const answer = await engine.session("gemma").chat([{ role: "user", content: question }], greedy(24, { jsonSchema: schema }));
  return { completion, topic: JSON.parse(answer.text).topic };
}

const text = (bytes) => Buffer.from(bytes).toString("utf8");
const rejectsWith = (code, pattern) => (e) => e instanceof InfWasiError && e.code === code && pattern.test(e.message);

test("each example plugin answers as the same calls made directly", async () => {
  const expected = await directly("Water boils at");
  for (const name of ["rust-pipeline", "python-pipeline"]) {
    const plugin = await engine.plugin(join(folder, `${name}.wasm`));
    const run = await plugin.run(JSON.stringify({ model: "gemma", text: "Water boils at" }));
    assert.equal(run.error, null, name);
    assert.deepEqual(JSON.parse(run.output), expected, name);
    const refused = await plugin.run("not JSON");
    assert.equal(refused.output, null);
    assert.match(refused.error, /not JSON/);
    await plugin.close();
  }
});

test("a plugin reaches no files, network or environment, and its output is captured", async () => {
  // From bytes this time: Engine.plugin takes a path or the file's bytes.
  const plugin = await engine.plugin(readFileSync(join(folder, "python-sandbox.wasm")));
  const run = await plugin.run("hello");
  await plugin.close();
  const report = JSON.parse(run.output);
  assert.equal(report.read_file, "FileNotFoundError");
  assert.equal(report.list_root, "FileNotFoundError");
  assert.deepEqual(report.environment, {});
  assert.deepEqual(report.arguments, []);
  assert.match(report.connect, /Error$/);
  assert.equal(report.clock_moves, true);
  assert.equal(report.random_bytes, 8);
  assert.ok(run.stdout instanceof Uint8Array);
  assert.deepEqual([text(run.stdout), text(run.stderr)], ["to stdout: hello\n", "to stderr: hello\n"]);
});

test("what is not a plugin, or asks for more, is refused", async () => {
  await assert.rejects(engine.plugin(join(folder, "wants-http.wasm")), rejectsWith("invalid-input", /wasi:http\/outgoing-handler/));
  await assert.rejects(engine.plugin(Buffer.from("\0asm but not really")), rejectsWith("invalid-input", /not an inf-wasi plugin/));
  // The engine's own component imports wasi:nn, which plugins are not given.
  await assert.rejects(engine.plugin(join(REPO, "target", "inf-wasi.wasm")), rejectsWith("invalid-input", /imports wasi:nn/));
  await assert.rejects(engine.plugin("/nonexistent/plugin.wasm"), rejectsWith("invalid-input", /could not be read/));
  await assert.rejects(engine.plugin(3), rejectsWith("invalid-input", /path or bytes/));
  const plugin = await engine.plugin(join(folder, "rust-pipeline.wasm"));
  await assert.rejects(plugin.run(3), rejectsWith("invalid-input", /must be a string/));
  await assert.rejects(plugin.run("\ud800"), rejectsWith("invalid-input", /lone surrogate/));
  await plugin.close();
});

test("a looping plugin is stopped, a panicking one is an error, and both go on", async () => {
  const looping = await engine.plugin(join(folder, "loops.wasm"));
  const started = performance.now();
  await assert.rejects(looping.run("spin"), rejectsWith("cancelled", /the plugin ran for more than 500 ms/));
  assert.ok(performance.now() - started < 5000);
  const panicking = await engine.plugin(join(folder, "panics.wasm"));
  await assert.rejects(panicking.run("boom"), rejectsWith("backend", /plugin stopped/));
  // The plugins and the engine go on: each call has a fresh instance, on a fresh worker after a failure.
  await assert.rejects(panicking.run("boom"), rejectsWith("backend", /plugin stopped/));
  await assert.rejects(looping.run("spin"), rejectsWith("cancelled", /the plugin ran for more than 500 ms/));
  const c = await engine.session("gemma").complete("Water boils at", greedy(2));
  assert.equal(c.usage.completionTokens, 2);
  await looping.close();
  await assert.rejects(looping.run("spin"), rejectsWith("invalid-input", /closed/));
  await panicking.close();
});
