// A conversation: streamed replies that join the history, and a reply cut short by an AbortSignal.
import { homedir } from "node:os";
import { Engine, InfWasiError } from "inf-wasi";

const model = process.env.INF_WASI_MODEL ?? `${homedir()}/.cache/inf-wasi/models/gemma-3-270m-q4_k_m.gguf`;
const engine = await Engine.create({ models: { gemma: model }, threads: 1 });
const session = engine.session("gemma", { systemPrompt: "Answer in one sentence." });

/** @type {import("inf-wasi").Message[]} */
const turn = [{ role: "user", content: "What is WebAssembly?" }];
const reply = session.chatStream(turn, { temperature: 0, maxTokens: 48 });
for await (const piece of reply) process.stdout.write(piece);
console.log(`\n[${reply.completion?.finishReason}, ${reply.completion?.usage.completionTokens} tokens]`);

const follow = await session.chat([{ role: "user", content: "And WASI?" }], { temperature: 0, maxTokens: 48 });
console.log(follow.text, `[${follow.usage.cachedTokens} prompt tokens reused]`);

try {
  await session.complete("Count to a thousand:", { maxTokens: 2000, signal: AbortSignal.timeout(300) });
} catch (e) {
  if (!(e instanceof InfWasiError) || e.code !== "cancelled") throw e;
  console.log("cancelled after 300 ms");
}
console.log((await session.history()).map((m) => m.role).join(" "));
await engine.close();
