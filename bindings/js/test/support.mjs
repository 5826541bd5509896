// Shared by the suite: the repository (for the shared cases and the WIT), the
// default model, and an engine as every suite uses it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "inf-wasi";

// Files the tests write, inside the test app (target/js/app, made afresh by
// ci/js.sh) rather than the system's temporary folder, where they would stay.
const SCRATCH = join(fileURLToPath(new URL("..", import.meta.url)), "scratch");
mkdirSync(SCRATCH, { recursive: true });

/** The repository: ci/js.sh runs the suite from a fresh folder and says where it is. */
export const REPO = process.env.INF_WASI_REPO ?? fileURLToPath(new URL("../../..", import.meta.url));

export const MODEL =
  process.env.INF_WASI_MODEL ?? execFileSync("python3", [`${REPO}/ci/fetch_model.py`], { encoding: "utf8" }).trim();

/** One inference thread: on two cores, ggml collapses when anything else runs. */
export const openEngine = (models = { gemma: MODEL }) => Engine.create({ models, threads: 1, contextSize: 2048 });

export const greedy = (maxTokens, extra = {}) => ({ temperature: 0, maxTokens, ...extra });

/** Collects a stream's pieces. */
export async function collect(stream) {
  const pieces = [];
  for await (const piece of stream) pieces.push(piece);
  return pieces;
}

/** A copy of the default model with `template` as its chat template (tests/fixtures/template-model.py). */
export function templateModel(name, template) {
  const dir = mkdtempSync(join(SCRATCH, "inf-wasi-js-"));
  const out = join(dir, `${name}.gguf`);
  execFileSync("python3", [`${REPO}/tests/fixtures/template-model.py`, MODEL, out, template]);
  return out;
}

/**
 * A chat template that ends, but only after 2 million iterations of an empty
 * loop: within its instruction budget, far past a short time limit.
 */
export const SLOW_TEMPLATE = "{% for i in range(2000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}{{ messages[0].content }}";

/** A chat template that renders 64 bytes 10^10 times. */
export const BLOATING_TEMPLATE =
  "{% for i in range(100000) %}{% for j in range(100000) %}" +
  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef{% endfor %}{% endfor %}";

/** A tiny random-weight projector for the default model (tests/fixtures/tiny-mmproj.py): 4 embeddings per image. */
export function tinyProjector() {
  const out = join(mkdtempSync(join(SCRATCH, "inf-wasi-js-")), "tiny-mmproj.gguf");
  execFileSync("python3", [`${REPO}/tests/fixtures/tiny-mmproj.py`, out]);
  return out;
}

/** The shared test images (tests/fixtures/test-images.py), in a fresh folder. */
export function testImages() {
  const dir = mkdtempSync(join(SCRATCH, "inf-wasi-js-images-"));
  execFileSync("python3", [`${REPO}/tests/fixtures/test-images.py`, dir]);
  return dir;
}

/** A tiny random-weight Ultravox projector (tests/fixtures/tiny-audio-mmproj.py): 50 embeddings per 30-second chunk. */
export function tinyAudioProjector() {
  const out = join(mkdtempSync(join(SCRATCH, "inf-wasi-js-")), "tiny-audio-mmproj.gguf");
  execFileSync("python3", [`${REPO}/tests/fixtures/tiny-audio-mmproj.py`, out]);
  return out;
}

/** The shared test audio (tests/fixtures/test-audio.py), in a fresh folder. */
export function testAudio() {
  const dir = mkdtempSync(join(SCRATCH, "inf-wasi-js-audio-"));
  execFileSync("python3", [`${REPO}/tests/fixtures/test-audio.py`, dir]);
  return dir;
}

/**
 * The plugins' folder: the Rust example and the probes (bindings/rust/build.rs, by the cargo
 * build before this suite), and the Python ones, which ci/plugins.sh builds with componentize-py
 * (and prints the folder).
 */
export function plugins() {
  return execFileSync("bash", [`${REPO}/ci/plugins.sh`], { encoding: "utf8" }).trim();
}
