// The shared conformance cases: greedy output equals the Rust host's (which the
// Rust suite checked against llama.cpp itself, token for token).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { REPO, greedy, openEngine } from "./support.mjs";

const cases = JSON.parse(readFileSync(`${REPO}/tests/conformance/cases.json`, "utf8")).greedy;
const rustFile = `${REPO}/target/conformance/rust-greedy.json`;

let engine;
before(async () => (engine = await openEngine()));
after(() => engine.close());

for (const { prompt, max_tokens } of cases) {
  test(`greedy output equals the Rust host's: ${prompt.slice(0, 24)}`, async () => {
    assert.ok(existsSync(rustFile), `${rustFile} is missing: the Rust suite writes it`);
    const want = JSON.parse(readFileSync(rustFile, "utf8")).find((r) => r.prompt === prompt);
    const session = engine.session("gemma");
    const got = await session.complete(prompt, greedy(max_tokens));
    await session.close();
    assert.equal(got.text, want.text);
    assert.equal(got.usage.completionTokens, want.completion_tokens);
    assert.equal(got.finishReason, want.finish_reason);
  });
}
