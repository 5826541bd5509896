// Options as users write them (camelCase objects) into the WIT records, checked
// for type here and for value in the component, which gives every binding the
// same messages.
import { readFileSync } from "node:fs";
import { invalidInput } from "./errors.js";

const U32_MAX = 2 ** 32 - 1;

/**
 * @param {string} name
 * @param {unknown} value
 */
function u32(name, value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw invalidInput(`${name} must be a whole number from 0 to ${U32_MAX}, got ${String(value)}`);
  }
  return value;
}

/**
 * @param {string} name
 * @param {unknown} value
 */
function float(name, value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") throw invalidInput(`${name} must be a number, got ${String(value)}`);
  return value;
}

/**
 * @param {string} name
 * @param {unknown} value
 */
function optionalString(name, value) {
  if (value === undefined || value === null) return undefined;
  return string(name, value);
}

/**
 * A string that UTF-8 can carry: JS strings may hold lone surrogates, which it cannot.
 * @param {string} name
 * @param {unknown} value
 */
function string(name, value) {
  if (typeof value !== "string") throw invalidInput(`${name} must be a string`);
  if (!value.isWellFormed()) throw invalidInput(`${name} is not valid Unicode: it has a lone surrogate`);
  return value;
}

const GENERATE_OPTIONS = [
  "maxTokens", "stop", "temperature", "topK", "topP", "minP", "repeatPenalty", "repeatLastN", "seed", "grammar",
  "jsonSchema", "tools", "toolChoice", "parallelToolCalls",
];

/**
 * Rejects keys a caller may have misspelt (`max_tokens`, say) instead of ignoring them.
 * @param {string} what
 * @param {object} object
 * @param {readonly string[]} allowed
 */
export function onlyKeys(what, object, allowed) {
  const unknown = Object.keys(object).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw invalidInput(`unknown ${what}: ${unknown.join(", ")}`);
}

/**
 * @template {object} T
 * @param {string} name
 * @param {T | null | undefined} value
 * @returns {Partial<T>}
 */
function object(name, value) {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidInput(`${name} must be an object`);
  return value;
}

/**
 * The WIT `generate-options` record; `signal` is taken out by the caller.
 * @param {Omit<import("../index.d.ts").GenerateOptions, "signal"> | undefined} options
 * @returns {import("./internal-types.d.ts").WitGenerateOptions}
 */
export function generateOptions(options) {
  const o = object("options", options);
  onlyKeys("generation option", o, GENERATE_OPTIONS);
  const stop = typeof o.stop === "string" ? [o.stop] : (o.stop ?? []);
  if (!Array.isArray(stop)) throw invalidInput("stop must be a string or an array of strings");
  stop.forEach((s, i) => string(`stop[${i}]`, s));
  let jsonSchema = o.jsonSchema;
  if (jsonSchema !== undefined && jsonSchema !== null && typeof jsonSchema !== "string") {
    if (typeof jsonSchema !== "object") throw invalidInput("jsonSchema must be an object or a JSON string");
    jsonSchema = JSON.stringify(jsonSchema);
  }
  return {
    maxTokens: u32("maxTokens", o.maxTokens),
    stop,
    temperature: float("temperature", o.temperature),
    topK: u32("topK", o.topK),
    topP: float("topP", o.topP),
    minP: float("minP", o.minP),
    repeatPenalty: float("repeatPenalty", o.repeatPenalty),
    repeatLastN: u32("repeatLastN", o.repeatLastN),
    seed: u32("seed", o.seed),
    grammar: optionalString("grammar", o.grammar),
    jsonSchema: jsonSchema ?? undefined,
    tools: tools(o.tools),
    toolChoice: toolChoice(o.toolChoice),
    parallelToolCalls: optionalBoolean("parallelToolCalls", o.parallelToolCalls),
  };
}

/**
 * @param {string} name
 * @param {unknown} value
 */
function optionalBoolean(name, value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidInput(`${name} must be true or false`);
  return value;
}

/**
 * Tools as users write them (flat, or OpenAI's `{ type: "function", function }`) into WIT records.
 * @param {unknown} list
 * @returns {import("./internal-types.d.ts").WitTool[]}
 */
function tools(list) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalidInput("tools must be an array");
  return list.map((tool, i) => {
    if (tool === null || typeof tool !== "object") throw invalidInput(`tools[${i}] must be an object`);
    const f = "function" in tool && typeof tool.function === "object" && tool.function !== null ? tool.function : tool;
    const { parameters } = f;
    if (parameters !== undefined && parameters !== null && typeof parameters !== "string" && typeof parameters !== "object") {
      throw invalidInput(`tools[${i}].parameters must be a JSON Schema object or its JSON text`);
    }
    return {
      name: string(`tools[${i}].name`, f.name),
      description: optionalString(`tools[${i}].description`, f.description),
      parameters: typeof parameters === "object" && parameters !== null ? JSON.stringify(parameters) : (parameters ?? undefined),
    };
  });
}

/**
 * @param {unknown} choice `"auto"`, `"none"`, `"required"`, `{ function: name }` or OpenAI's `{ type: "function", function: { name } }`
 * @returns {import("./internal-types.d.ts").WitToolChoice | undefined}
 */
function toolChoice(choice) {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return { tag: choice };
  if (typeof choice === "object" && "function" in choice) {
    const f = choice.function;
    const name = typeof f === "object" && f !== null && "name" in f ? f.name : f;
    return { tag: "function", val: string("toolChoice.function", name) };
  }
  throw invalidInput(`toolChoice must be "auto", "none", "required" or { function: name }, got ${JSON.stringify(choice)}`);
}

/**
 * The WIT `session-options` record.
 * @param {import("../index.d.ts").SessionOptions | undefined} options
 * @returns {import("./internal-types.d.ts").WitSessionOptions}
 */
export function sessionOptions(options) {
  const o = object("options", options);
  onlyKeys("session option", o, ["contextSize", "systemPrompt"]);
  return { contextSize: u32("contextSize", o.contextSize), systemPrompt: optionalString("systemPrompt", o.systemPrompt) };
}

/**
 * Load options for one model: `threads`, `contextSize`, `batchSize`, `parallel`, `batching` (engine-wide ones as defaults).
 * @param {string} name
 * @param {string | import("../index.d.ts").ModelSpec} spec
 * @param {Pick<import("../index.d.ts").EngineOptions, "threads" | "contextSize" | "batchSize" | "parallel" | "batching">} defaults
 */
export function loadOptions(name, spec, defaults) {
  /** @type {Partial<import("../index.d.ts").ModelSpec>} */
  const o = typeof spec === "string" ? { path: spec } : object(`models.${name}`, spec);
  onlyKeys(`option of models.${name}`, o, [
    "path",
    "projector",
    "contextSize",
    "threads",
    "batchSize",
    "parallel",
    "batching",
    "packed",
  ]);
  if (typeof o.path !== "string" || o.path === "") throw invalidInput(`models.${name} needs a path to a GGUF file`);
  if (o.packed !== undefined && typeof o.packed !== "boolean") throw invalidInput(`models.${name}.packed must be a boolean`);
  if (o.projector !== undefined && (typeof o.projector !== "string" || o.projector === "")) {
    throw invalidInput(`models.${name}.projector must be the path of a multimodal projector (mmproj) GGUF`);
  }
  return {
    path: o.path,
    projector: o.projector,
    contextSize: u32("contextSize", o.contextSize ?? defaults.contextSize),
    threads: u32("threads", o.threads ?? defaults.threads),
    batchSize: u32("batchSize", o.batchSize ?? defaults.batchSize),
    parallel: u32("parallel", o.parallel ?? defaults.parallel),
    batching: optionalString("batching", o.batching ?? defaults.batching),
    packed: o.packed,
  };
}

/**
 * The engine's limits (`maxContextSize`, `maxOutputTokens`, `maxImageBytes`, `maxAudioSeconds`); absent ones keep their defaults.
 * @param {import("../index.d.ts").EngineOptions} options
 * @returns {import("./native-types.d.ts").NativeLimits}
 */
export function limits(options) {
  /**
   * @param {"maxContextSize" | "maxOutputTokens" | "maxImageBytes" | "maxAudioSeconds"} name
   * @param {number} max
   */
  const positive = (name, max) => {
    const v = options[name];
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < 1 || v > max) throw invalidInput(`${name} must be a whole number from 1 to ${max}, got ${v}`);
    return v;
  };
  return {
    maxContextSize: positive("maxContextSize", 0xffffffff),
    maxOutputTokens: positive("maxOutputTokens", 0xffffffff),
    maxImageBytes: positive("maxImageBytes", Number.MAX_SAFE_INTEGER),
    maxAudioSeconds: positive("maxAudioSeconds", 0xffffffff),
  };
}

const ROLES = ["system", "user", "assistant", "tool"];

/**
 * Messages (`{ role, content }`, content a string or parts) into WIT messages.
 * @param {import("../index.d.ts").Message[]} list
 * @returns {import("./internal-types.d.ts").WitMessage[]}
 */
export function messages(list) {
  if (!Array.isArray(list)) throw invalidInput("messages must be an array of { role, content }");
  return list.map((m, i) => {
    if (m === null || typeof m !== "object") throw invalidInput(`messages[${i}] must be an object`);
    if (!ROLES.includes(m.role)) throw invalidInput(`messages[${i}].role must be one of ${ROLES.join(", ")}`);
    const parts = typeof m.content === "string" ? [m.content] : (m.content ?? []);
    if (!Array.isArray(parts)) throw invalidInput(`messages[${i}].content must be a string or an array of parts`);
    const calls = m.toolCalls ?? [];
    if (!Array.isArray(calls)) throw invalidInput(`messages[${i}].toolCalls must be an array`);
    return {
      role: m.role,
      content: parts.map((p, j) => contentPart(p, `messages[${i}].content[${j}]`)),
      toolCalls: calls.map((c, j) => toolCall(c, `messages[${i}].toolCalls[${j}]`)),
      toolCallId: optionalString(`messages[${i}].toolCallId`, m.toolCallId),
    };
  });
}

/**
 * A call as a caller sends it back: `{ id, name, arguments }` (arguments JSON text or an object).
 * @param {unknown} call
 * @param {string} where
 * @returns {import("../index.d.ts").ToolCall}
 */
function toolCall(call, where) {
  if (call === null || typeof call !== "object") throw invalidInput(`${where} must be an object`);
  const c = /** @type {{ id?: unknown, name?: unknown, arguments?: unknown }} */ (call);
  const args = c.arguments === undefined ? "{}" : typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments);
  return { id: string(`${where}.id`, c.id), name: string(`${where}.name`, c.name), arguments: args };
}

/**
 * @param {string | { type?: unknown, text?: unknown, image?: unknown, audio?: unknown, path?: unknown }} part a `ContentPart`, as a caller may have written it
 * @param {string} where
 * @returns {import("./internal-types.d.ts").WitContentPart}
 */
function contentPart(part, where) {
  if (typeof part === "string") return { tag: "text", val: string(where, part) };
  if (part && part.type === "text" && typeof part.text === "string") return { tag: "text", val: string(where, part.text) };
  for (const medium of /** @type {const} */ (["image", "audio"])) {
    if (!part || part.type !== medium) continue;
    if (part[medium] instanceof Uint8Array) return { tag: medium, val: part[medium] };
    if (typeof part.path === "string") return { tag: medium, val: mediaFile(medium, part.path, where) };
  }
  throw invalidInput(
    `${where} must be a string, { type: "text", text }, { type: "image" | "audio", image | audio: Uint8Array } or { type: "image" | "audio", path }`,
  );
}

/**
 * @param {"image" | "audio"} medium
 * @param {string} path
 * @param {string} where
 */
function mediaFile(medium, path, where) {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const why = /** @type {NodeJS.ErrnoException} */ (e);
    throw invalidInput(`${where}: the ${medium} ${JSON.stringify(path)} could not be read (${why.code ?? why.message})`);
  }
}

/**
 * A prompt must be a string (the component checks that it is not empty).
 * @param {unknown} value
 */
export function prompt(value) {
  return string("the prompt", value);
}

/** Any other text argument. */
export { string as text };
