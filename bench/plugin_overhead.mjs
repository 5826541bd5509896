// What running a pipeline as a plugin costs over making the same calls directly,
// through the Node package: bench/src/bin/plugin_overhead.rs for the Rust host,
// the same measurement here. Run from the project that has the package installed:
//
//     ci/js.sh --build-only && cp bench/plugin_overhead.mjs target/js/app/ &&
//       (cd target/js/app && node plugin_overhead.mjs)
//
// BENCH_THREADS (2), BENCH_RUNS (7), BENCH_PLUGIN (`rust-pipeline` or `python-pipeline`,
// from target/inf-wasi-plugins: the build script and ci/plugins.sh make them) and BENCH_WARM
// (1: the engine's `warmWorker`, so that a direct session does not wait for its worker); medians.
// Model: the default model (Gemma 3 270M).
import { execFileSync } from "node:child_process";
import { Engine } from "inf-wasi";

const REPO = new URL("../../../", import.meta.url).pathname;
const MODEL = process.env.INF_WASI_MODEL ?? execFileSync("python3", [`${REPO}ci/fetch_model.py`], { encoding: "utf8" }).trim();
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const NAME = process.env.BENCH_PLUGIN ?? "rust-pipeline";
const WARM = process.env.BENCH_WARM === "1";
const TEXT = "Water boils at";

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const greedy = (maxTokens, extra = {}) => ({ temperature: 0, maxTokens, ...extra });

const engine = await Engine.create({ models: { gemma: MODEL }, threads: THREADS, warmWorker: WARM });

/** The example plugin's two calls, made directly, each on a new session. */
async function directly() {
  const first = engine.session("gemma");
  const completion = (await first.complete(TEXT, greedy(12))).text;
  await first.close();
  const schema = '{"type":"object","properties":{"topic":{"enum":["science","cooking","sports","other"]}},"required":["topic"]}';
  const question = `Which topic is this about: science, cooking, sports or other?\n\n${TEXT}${completion}`;
  const second = engine.session("gemma");
  await second.chat([{ role: "user", content: question }], greedy(24, { jsonSchema: schema }));
  await second.close();
}

await directly(); // loads the model
let started = performance.now();
const plugin = await engine.plugin(`${REPO}target/inf-wasi-plugins/${NAME}.wasm`);
const load = performance.now() - started;
const input = JSON.stringify({ model: "gemma", text: TEXT });
const direct = [];
const plugged = [];
for (let i = 0; i < RUNS; i++) {
  started = performance.now();
  await directly();
  direct.push(performance.now() - started);
  started = performance.now();
  const run = await plugin.run(input);
  if (run.error !== null) throw new Error(run.error);
  plugged.push(performance.now() - started);
}
const [d, p] = [median(direct), median(plugged)];
console.log(`plugin overhead, Node (${THREADS} threads, ${RUNS} runs, medians, warmWorker ${WARM}), Gemma 3 270M, ${NAME}`);
console.log("| | ms |");
console.log("|---|---|");
console.log(`| loading the plugin (compose + transpile + compile), once | ${load.toFixed(0)} |`);
console.log(`| the two calls made directly | ${d.toFixed(1)} |`);
console.log(`| the same through the plugin (a fresh instance per call) | ${p.toFixed(1)} |`);
console.log(`| overhead per call | ${(p - d).toFixed(1)} (${(p / d).toFixed(2)}x) |`);
await engine.close();
