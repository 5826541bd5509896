// A benchmark child for the Node rows, measured at the same boundaries as the
// Rust rows (bench/src/): prints one JSON sample on stdout.
//
//     node node_row.mjs inf-wasi | node-llama-cpp
//
// ci/bench.sh copies this file into the project that has the package installed
// (target/js/app, target/bench-peers/node). Settings come from the driver's
// environment: INF_WASI_MODEL, BENCH_PROMPT, BENCH_THREADS, BENCH_GEN_TOKENS,
// BENCH_CONTEXT, and the sampling setting: BENCH_TEMPERATURE, BENCH_SEED,
// BENCH_JSON_SCHEMA. Prompt processing is not separable from the first token in
// either library's streaming API, so `pp` is left out (NaN): the driver derives
// it from the time to first token less one generated token's time.
import { resourceUsage } from "node:process";

const MODEL = process.env.INF_WASI_MODEL;
const PROMPT = process.env.BENCH_PROMPT;
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const GEN = Number(process.env.BENCH_GEN_TOKENS ?? 64);
const CONTEXT = Number(process.env.BENCH_CONTEXT ?? 2048);
// The sampling setting (absent: the package's default).
const SAMPLING = {};
if (process.env.BENCH_TEMPERATURE !== undefined) SAMPLING.temperature = Number(process.env.BENCH_TEMPERATURE);
if (process.env.BENCH_SEED !== undefined) SAMPLING.seed = Number(process.env.BENCH_SEED);
if (process.env.BENCH_JSON_SCHEMA !== undefined) SAMPLING.jsonSchema = process.env.BENCH_JSON_SCHEMA;

/** The median, as the Rust rows compute it (the mean of the middle two for an even count). */
function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Times the pieces of a token stream from `start`. */
async function timeStream(stream, start) {
  let first;
  let n = 0;
  for await (const _ of stream) {
    first ??= performance.now() - start;
    n += 1;
  }
  const total = performance.now() - start;
  return { first, n, total };
}

async function infWasiRow() {
  const { Engine } = await import("inf-wasi");
  const engine = await Engine.create({ models: { m: MODEL }, threads: THREADS, contextSize: CONTEXT });
  await engine.modelInfo("m"); // load the weights before timing, as every row does
  // A session's worker starts when it is made and the session opens in it, so
  // "new session" is the time until a session answers its first request.
  const warm = engine.session("m");
  await warm.history();
  await warm.close();
  const sessionMs = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const s = engine.session("m");
    await s.history();
    sessionMs.push(performance.now() - t);
    await s.close();
  }
  const session = engine.session("m");
  await session.history();
  const start = performance.now();
  const stream = session.stream(PROMPT, { ...SAMPLING, maxTokens: GEN });
  const { first, total } = await timeStream(stream, start);
  const usage = stream.completion.usage;
  await engine.close();
  return {
    prompt_tokens: usage.promptTokens,
    generated: usage.completionTokens,
    pp: NaN,
    tg: (usage.completionTokens - 1) / ((total - first) / 1e3),
    ttft_ms: first,
    session_ms: median(sessionMs),
  };
}

async function nodeLlamaCppRow() {
  const { getLlama } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" });
  const model = await llama.loadModel({ modelPath: MODEL, gpuLayers: 0 });
  const newContext = () => model.createContext({ contextSize: CONTEXT, threads: THREADS, batchSize: 512 });
  await (await newContext()).dispose();
  const sessionMs = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const c = await newContext();
    sessionMs.push(performance.now() - t);
    await c.dispose();
  }
  const context = await newContext();
  const sequence = context.getSequence();
  // The prompt as every other row evaluates it: BOS, then the text.
  const tokens = [model.tokens.bos, ...model.tokenize(PROMPT, false)].filter((t) => t != null);
  const start = performance.now();
  const generate = async function* () {
    let n = 0;
    for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
      yield token;
      if (++n >= GEN || model.isEogToken(token)) return;
    }
  };
  const { first, n, total } = await timeStream(generate(), start);
  await context.dispose();
  return {
    prompt_tokens: tokens.length,
    generated: n,
    pp: NaN,
    tg: (n - 1) / ((total - first) / 1e3),
    ttft_ms: first,
    session_ms: median(sessionMs),
  };
}

const rows = { "inf-wasi": infWasiRow, "node-llama-cpp": nodeLlamaCppRow };
const row = await rows[process.argv[2]]();
// Peak resident set of the whole process, workers included (kilobytes).
row.peak_rss_mib = resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(row));
