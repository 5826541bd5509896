import { homedir } from "node:os";
import { Engine } from "inf-wasi";

// An instruct model: here SmolLM2-135M-Instruct, which `inf-wasi models pull` fetches.
const path = process.env.INF_WASI_CHAT_MODEL ?? `${homedir()}/.cache/inf-wasi/models/smollm2-135m-instruct-q4_1.gguf`;

/** The function the model may call; the application runs it. @param {{ city: string }} args */
const getWeather = ({ city }) => JSON.stringify({ city, temperature: 18, unit: "celsius" });

const weather = {
  name: "get_weather",
  description: "The current weather in a city.",
  parameters: { type: "object", properties: { city: { type: "string", maxLength: 30 } }, required: ["city"] },
};
const engine = await Engine.create({ models: { chat: path } });
const session = engine.session("chat");
const options = { tools: [weather], parallelToolCalls: false, temperature: 0, maxTokens: 64 };
// "required": the model calls a tool, with arguments that match its schema.
const asked = await session.chat([{ role: "user", content: "What is the weather in Paris?" }], {
  ...options,
  toolChoice: "required",
});
if (asked.finishReason !== "tool-calls") throw new Error(`no call: ${asked.text}`);
/** @type {import("inf-wasi").Message[]} */
const results = asked.toolCalls.map((call) => {
  console.log(`${call.name}(${call.arguments})`);
  return { role: "tool", toolCallId: call.id, content: getWeather(JSON.parse(call.arguments)) };
});
// The session remembers the calls; the results answer them by id, and the model replies.
console.log((await session.chat(results, { ...options, toolChoice: "none" })).text);
await engine.close();
