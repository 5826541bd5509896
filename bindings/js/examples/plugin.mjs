import { Engine } from "inf-wasi";

// A model, and a plugin: a component of inf-wasi's `plugin` world (examples/plugins/).
const { INF_WASI_MODEL: model = "", INF_WASI_PLUGIN: file = "" } = process.env;

const engine = await Engine.create({ models: { gemma: model } });
const plugin = await engine.plugin(file);
const run = await plugin.run(JSON.stringify({ model: "gemma", text: "Water boils at" }));
if (run.error === null) console.log(run.output);
else console.error("the plugin failed:", run.error);
await engine.close();
