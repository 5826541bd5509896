import { Engine } from "inf-wasi";
import { z } from "zod";

// What the answer must be: its JSON Schema constrains generation.
const City = z.object({
  name: z.string().max(30),
  country: z.string().max(30),
  population: z.number().int().min(0).max(50_000_000),
});

const engine = await Engine.create({ models: { gemma: process.env.INF_WASI_MODEL ?? "" } });
const city = await engine.session("gemma").complete("The largest city in France, as JSON:", {
  schema: City,
  temperature: 0,
  maxTokens: 96,
});
console.log(`${city.name}, ${city.country}: ${city.population} people`);
await engine.close();
