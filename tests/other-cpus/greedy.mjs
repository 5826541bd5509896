// Greedy completion through the installed npm package: node greedy.mjs MODEL PROMPT TOKENS.
import { Engine } from "inf-wasi";

const [model, prompt, tokens] = process.argv.slice(2);
const engine = await Engine.create({ models: { m: { path: model, threads: 1 } } });
const reply = await engine.session("m").complete(prompt, { temperature: 0, maxTokens: Number(tokens) });
process.stdout.write(reply.text);
await engine.close();
