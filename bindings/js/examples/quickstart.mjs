import { homedir } from "node:os";
import { Engine, InfWasiError } from "inf-wasi";

const model = process.env.INF_WASI_MODEL ?? `${homedir()}/.cache/inf-wasi/models/gemma-3-270m-q4_k_m.gguf`;

const engine = await Engine.create({ models: { gemma: model } });
const session = engine.session("gemma");
for await (const piece of session.stream("Why is the sky blue?", { maxTokens: 32 })) {
  process.stdout.write(piece);
}
console.log();

const reply = await session.chat([{ role: "user", content: "Name three colours." }], { temperature: 0, maxTokens: 24 });
console.log(reply.text, reply.finishReason, reply.usage.completionTokens);

const schema = { type: "object", properties: { colour: { type: "string", maxLength: 20 } }, required: ["colour"] };
console.log((await session.complete("My favourite colour, as JSON:", { temperature: 0, jsonSchema: schema })).text);

console.log((await engine.embed("gemma", "a sentence to embed"))[0].length, "dimensions");
try {
  engine.session("no-such-model");
} catch (e) {
  if (e instanceof InfWasiError) console.log(e.code, e.message);
}
await engine.close();
