// Typed structured output: Zod schemas in (nested objects, bounded numbers, enums,
// optional fields, arrays of objects, formats), validated values out, sampled with
// the instruct test model on several seeds.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { Engine, InfWasiError } from "inf-wasi";
import { z } from "zod";
import { REPO } from "./support.mjs";

const Address = z.object({ street: z.string().max(40), zip: z.string().regex(/^\d{5}$/) });
const Person = z.object({
  name: z.string().min(1).max(30),
  age: z.number().int().min(0).max(120),
  favourite: z.enum(["red", "green", "blue"]),
  home: Address,
  previous: z.array(Address).max(2),
  nickname: z.string().max(20).optional(),
  id: z.uuid(),
  born: z.iso.date(),
});

let engine;
before(async () => {
  const path =
    process.env.INF_WASI_CHAT_MODEL ??
    execFileSync("python3", [`${REPO}/ci/fetch_model.py`, "smollm2-135m-instruct-q4_1"], { encoding: "utf8" }).trim();
  engine = await Engine.create({ models: { chat: path }, threads: 1, contextSize: 2048 });
});
after(() => engine.close());

test("a Zod schema comes back as a validated value", async () => {
  for (const seed of [1, 2, 3]) {
    const question = [{ role: "user", content: "Describe a made-up person as JSON." }];
    const person = await engine.session("chat").chat(question, { schema: Person, temperature: 0.8, seed, maxTokens: 400 });
    assert.deepEqual(Person.parse(person), person);
    assert.ok(person.age >= 0 && person.age <= 120 && /^\d{5}$/.test(person.home.zip), JSON.stringify(person));
  }
});

test("a cut answer and a schema that is not one are clear errors", async () => {
  const session = engine.session("chat");
  await assert.rejects(session.complete("A person:", { schema: Person, maxTokens: 3 }), (e) => e instanceof InfWasiError && e.code === "invalid-input" && /raise maxTokens/.test(e.message));
  await assert.rejects(session.complete("x", { schema: { type: "object" }, maxTokens: 3 }), (e) => e instanceof InfWasiError && e.code === "invalid-input" && /Standard Schema/.test(e.message));
  await assert.rejects(session.complete("x", { schema: Person, jsonSchema: {}, maxTokens: 3 }), { code: "invalid-input" });
});
