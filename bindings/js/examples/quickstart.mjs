import { Engine } from "inf-wasi";

const engine = await Engine.create({ models: { gemma: process.env.INF_WASI_MODEL } });
const session = engine.session("gemma");
for await (const piece of session.stream("Why is the sky blue?", { maxTokens: 64 })) {
  process.stdout.write(piece);
}
await engine.close();
