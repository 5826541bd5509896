import { Engine } from "inf-wasi";

// A vision model's GGUF, its multimodal projector (mmproj GGUF), and a picture.
const { INF_WASI_MODEL: path = "", INF_WASI_PROJECTOR: projector = "", INF_WASI_IMAGE: picture = "" } = process.env;

const engine = await Engine.create({ models: { vision: { path, projector } } });
const session = engine.session("vision");
const stream = session.chatStream(
  [{ role: "user", content: ["What is in this picture?", { type: "image", path: picture }] }],
  { maxTokens: 32 },
);
for await (const piece of stream) process.stdout.write(piece);
console.log("\nvision:", (await engine.modelInfo("vision")).vision);
await engine.close();
