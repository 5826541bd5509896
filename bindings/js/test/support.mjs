// Shared by the suite: the repository (for the shared cases and the WIT), the
// default model, and an engine as every suite uses it.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Engine } from "inf-wasi";

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
