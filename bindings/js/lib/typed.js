// Typed structured output: a Standard Schema (Zod 4, Valibot, ArkType...) that can
// give its JSON Schema in, the validated value out. The JSON Schema goes to the
// component like any `jsonSchema`, so its grammar is the one every language uses.
import { InfWasiError, invalidInput } from "./errors.js";

/**
 * @typedef {{ "~standard": { validate(value: unknown): any, jsonSchema?: { input(o: { target: string }): object } } }} TypedSchema
 */

/**
 * `schema`'s JSON Schema, as text.
 * @param {unknown} schema
 * @returns {string}
 */
export function jsonSchemaOf(schema) {
  const standard = /** @type {any} */ (schema)?.["~standard"];
  if (typeof standard?.validate !== "function") {
    throw invalidInput("schema must be a Standard Schema, such as a Zod 4 schema");
  }
  const json = standard.jsonSchema?.input?.({ target: "draft-2020-12" }) ?? /** @type {any} */ (schema).toJSONSchema?.();
  if (json === undefined || json === null) {
    throw invalidInput("schema cannot give its JSON Schema (Zod 4 and other Standard JSON Schema libraries can)");
  }
  return JSON.stringify(json);
}

/**
 * The completion's text, parsed and validated by `schema`.
 * @param {TypedSchema} schema
 * @param {import("../index.d.ts").Completion} completion
 * @returns {Promise<unknown>}
 */
export async function parsed(schema, completion) {
  if (completion.finishReason !== "stop") {
    throw invalidInput(
      `the answer ended (${completion.finishReason}) before its JSON did, after ${completion.usage.completionTokens} tokens: raise maxTokens`,
    );
  }
  const result = await schema["~standard"].validate(JSON.parse(completion.text));
  if (result.issues) {
    // The grammar admits only answers that follow the schema: this is a fault.
    throw new InfWasiError("backend", `the answer does not validate: ${JSON.stringify(result.issues)}`);
  }
  return result.value;
}

/**
 * `options` with its `schema` (if any) turned into `jsonSchema`, and the schema.
 * @param {Record<string, unknown> | undefined} options
 * @returns {[Record<string, unknown> | undefined, TypedSchema | undefined]}
 */
export function splitSchema(options) {
  if (options?.schema === undefined) return [options, undefined];
  const { schema, ...rest } = options;
  if (rest.jsonSchema !== undefined) throw invalidInput("give schema or jsonSchema, not both");
  return [{ ...rest, jsonSchema: jsonSchemaOf(schema) }, /** @type {TypedSchema} */ (schema)];
}
