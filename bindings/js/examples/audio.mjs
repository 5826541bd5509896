import { Engine } from "inf-wasi";

// A speech model's GGUF, its audio projector (mmproj GGUF), and a recording (WAV, FLAC or MP3).
const { INF_WASI_MODEL: path = "", INF_WASI_PROJECTOR: projector = "", INF_WASI_AUDIO: recording = "" } = process.env;

const engine = await Engine.create({ models: { speech: { path, projector } } });
const session = engine.session("speech");
const stream = session.chatStream(
  [{ role: "user", content: ["What is said in this recording?", { type: "audio", path: recording }] }],
  { maxTokens: 32 },
);
for await (const piece of stream) process.stdout.write(piece);
console.log("\naudio:", (await engine.modelInfo("speech")).audio);
await engine.close();
