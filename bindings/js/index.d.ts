// Types of the public API of inf-wasi for Node.

/** The cases of the WIT `error` variant: `InfWasiError.code` is always one of them. */
export type ErrorCode =
  | "model-not-found"
  | "invalid-model"
  | "invalid-input"
  | "context-overflow"
  | "unsupported"
  | "cancelled"
  | "backend";

export const ERROR_CODES: readonly ErrorCode[];

/** Every error this package raises or rejects with. */
export class InfWasiError extends Error {
  constructor(code: string, message: string, options?: { cause?: unknown });
  readonly code: ErrorCode;
}

/** A model file and how to load it. */
export interface ModelSpec {
  /** Path to a GGUF file (or, with `packed`, to a packed `.wasm`). */
  path: string;
  /** The path is a packed file (`inf-wasi pack`): prefer `Engine.fromFile`. */
  packed?: boolean;
  /** A multimodal model's projector (mmproj GGUF): messages may then carry images, or audio where it has an audio encoder. */
  projector?: string;
  /** Default context size of the model's sessions (tokens; default 4096). */
  contextSize?: number;
  /** Inference threads (default: the number of cores, up to 8). */
  threads?: number;
  /** Prompt tokens evaluated per batch (default 512). */
  batchSize?: number;
  /**
   * Sessions of the model that share one llama.cpp context (default 1). Sessions generating at the
   * same time (in their workers) then have their tokens decoded together: continuous batching.
   */
  parallel?: number;
  /**
   * `"exact"` (default): each session's output is what it would be alone; `"fast"`: a step's work in
   * one decode, for more throughput, but an output may differ from the one alone.
   */
  batching?: "exact" | "fast";
}

export interface EngineOptions {
  /** Model names, each to a GGUF path or a `ModelSpec`. */
  models: Record<string, string | ModelSpec>;
  /** Default `threads` for every model. */
  threads?: number;
  /** Default `contextSize` for every model. */
  contextSize?: number;
  /** Default `batchSize` for every model. */
  batchSize?: number;
  /** Default `parallel` for every model. */
  parallel?: number;
  /** Default `batching` for every model. */
  batching?: "exact" | "fast";
  /**
   * Keep one worker (a thread with an instance of the component) started ahead of need, so that
   * a new session starts in milliseconds rather than tens of them; costs the memory of an idle
   * worker. Default false.
   */
  warmWorker?: boolean;
  /** The largest context a session may ask for, in tokens (default 32768). */
  maxContextSize?: number;
  /** The most tokens one generation may produce (default 4096); a larger `maxTokens` is invalid input. */
  maxOutputTokens?: number;
  /** The largest image or audio file a message may carry, in bytes (default 20 MiB). */
  maxImageBytes?: number;
  /** The longest audio clip a message may carry, in seconds (default 600). */
  maxAudioSeconds?: number;
  /** The most memory one instance of the component may use, in bytes (default 512 MiB, at least 1 MiB). */
  guestMemoryLimit?: number;
  /**
   * The longest the component may run without returning or calling the backend, in milliseconds
   * (default 10000); past it the request ends with code `cancelled` and its session is stopped.
   * Decoding time does not count, and a chat template that loops for ever fails sooner, on its
   * own instruction budget.
   */
  guestTimeLimit?: number;
}

export interface SessionOptions {
  /** Context size of this session (tokens); default: the model's. */
  contextSize?: number;
  /** A system message that starts the conversation and survives `reset()`. */
  systemPrompt?: string;
}

/**
 * A Standard Schema (https://standardschema.dev) that can give its JSON Schema, as Zod 4
 * schemas do: what typed structured output takes.
 */
export interface TypedSchema<T> {
  readonly "~standard": {
    validate(
      value: unknown,
    ): { readonly value: T; readonly issues?: undefined } | { readonly issues: ReadonlyArray<unknown> } | Promise<{ readonly value: T; readonly issues?: undefined } | { readonly issues: ReadonlyArray<unknown> }>;
  };
}

export interface GenerateOptions {
  /** Most tokens to generate (default 256). */
  maxTokens?: number;
  /** Generation ends before any of these strings; they are not part of the text. */
  stop?: string | string[];
  /** 0 is greedy (default 0.8). */
  temperature?: number;
  /** Default 40. */
  topK?: number;
  /** Default 0.95. */
  topP?: number;
  /** Default 0.05. */
  minP?: number;
  /** Default 1.0 (off). */
  repeatPenalty?: number;
  /** Default 64. */
  repeatLastN?: number;
  /** Sampling seed (default random). */
  seed?: number;
  /** A llama.cpp GBNF grammar the output must follow. */
  grammar?: string;
  /** A JSON Schema (object or JSON text) the output must follow. */
  jsonSchema?: object | string;
  /** Functions the model may call (chat only); their calls come back in `Completion.toolCalls`. */
  tools?: Tool[];
  /** `"auto"` (default with tools), `"none"`, `"required"`, or one function: `{ function: name }`. */
  toolChoice?: ToolChoice;
  /** Whether one turn may hold more than one call (default true). */
  parallelToolCalls?: boolean;
  /** Aborting cancels the generation; the call rejects with code "cancelled". */
  signal?: AbortSignal;
}

export type Role = "system" | "user" | "assistant" | "tool";

/**
 * Text, an image (PNG or JPEG) or audio (WAV, FLAC or MP3): the file's bytes (a `Uint8Array` or
 * `Buffer`) or its path.
 */
export type ContentPart =
  | string
  | { type: "text"; text: string }
  | { type: "image"; image: Uint8Array }
  | { type: "image"; path: string }
  | { type: "audio"; audio: Uint8Array }
  | { type: "audio"; path: string };

export interface Message {
  role: Role;
  content: string | ContentPart[];
  /** An assistant message's tool calls. */
  toolCalls?: ToolCall[];
  /** A `tool` message: the id of the call it answers. */
  toolCallId?: string;
}

/**
 * A function the model may call: `{ name, description?, parameters? }` (parameters a JSON Schema
 * object or its JSON text), or OpenAI's `{ type: "function", function: { ... } }`.
 */
export type Tool =
  | { name: string; description?: string; parameters?: object | string }
  | { type: "function"; function: { name: string; description?: string; parameters?: object | string } };

export type ToolChoice = "auto" | "none" | "required" | { function: string } | { type: "function"; function: { name: string } };

/** A call the model made: answer it with a `tool` message whose `toolCallId` is its `id`. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text (an object). */
  arguments: string;
}

/** What `chatEvents` yields: text as it comes, and each tool call once it is whole. */
export type StreamEvent = { type: "text"; text: string } | { type: "tool-call"; call: ToolCall };

export type FinishReason = "stop" | "length" | "context-full" | "tool-calls";

export interface Usage {
  promptTokens: number;
  /** Prompt tokens found in the session's KV cache, not evaluated again. */
  cachedTokens: number;
  completionTokens: number;
}

export interface Completion {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  /** The calls the model made (chat with `tools`). */
  toolCalls: ToolCall[];
}

export interface ModelInfo {
  name: string;
  architecture: string;
  contextLength: number;
  vocabSize: number;
  embeddingSize: number;
  parameters: number;
  sizeBytes: number;
  vision: boolean;
  /** Whether the model takes audio (its projector has an audio encoder). */
  audio: boolean;
  chatTemplate: string | null;
}

/** Pieces of text as they are generated. Leaving a `for await` loop early cancels generation. */
export class TokenStream<T = string> implements AsyncIterableIterator<T> {
  private constructor();
  /** Set once the last piece has been read: the finish reason, usage and any tool calls. */
  readonly completion: Completion | undefined;
  next(): Promise<IteratorResult<T, undefined>>;
  return(): Promise<IteratorResult<T, undefined>>;
  [Symbol.asyncIterator](): TokenStream<T>;
}

/** One conversation with its own KV cache, on its own worker thread. */
export class Session implements AsyncDisposable {
  private constructor();
  /**
   * Raw completion of `prompt` (no chat template). With `schema` (a Zod 4 schema or another
   * Standard Schema that gives its JSON Schema), the answer follows it and resolves to the
   * validated value; an answer cut short by `maxTokens` rejects with `invalid-input`.
   */
  complete<T>(prompt: string, options: GenerateOptions & { schema: TypedSchema<T> }): Promise<T>;
  complete(prompt: string, options?: GenerateOptions): Promise<Completion>;
  /** Like `complete`, piece by piece. */
  stream(prompt: string, options?: GenerateOptions): TokenStream;
  /** Adds `messages` to the conversation and generates the reply, which joins it. */
  chat<T>(messages: Message[], options: GenerateOptions & { schema: TypedSchema<T> }): Promise<T>;
  chat(messages: Message[], options?: GenerateOptions): Promise<Completion>;
  /** Like `chat`, piece by piece. */
  chatStream(messages: Message[], options?: GenerateOptions): TokenStream;
  /** Like `chatStream`, with each tool call the model makes once it is whole. */
  chatEvents(messages: Message[], options?: GenerateOptions): TokenStream<StreamEvent>;
  /** The conversation so far. */
  history(): Promise<Message[]>;
  /** Forgets the conversation (keeping the system prompt) and clears the KV cache. */
  reset(): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What one call of a plugin gave back. */
export interface PluginRun {
  /** The plugin's answer, or `null` when it returned its own error. */
  output: string | null;
  /** The plugin's own error message, or `null`. */
  error: string | null;
  /** What it wrote to stdout (captured, up to 1 MiB). */
  stdout: Uint8Array;
  /** What it wrote to stderr (captured, up to 1 MiB). */
  stderr: Uint8Array;
}

/**
 * A plugin (`Engine.plugin`): it may open the engine's models and nothing else (no files, network or
 * environment); each `run` gets a fresh instance and its own sessions, under the engine's limits.
 */
export class Plugin implements AsyncDisposable {
  private constructor();
  /**
   * Runs the plugin on `input`. Past the engine's time limit it rejects with `cancelled`, after a trap (a
   * panic) with `backend`; the engine and the plugin go on either way.
   */
  run(input: string): Promise<PluginRun>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The models an application registered, and the sessions made over them. */
export class Engine implements AsyncDisposable {
  private constructor();
  /** Registers models by name; nothing is loaded until first use. */
  static create(options: EngineOptions): Promise<Engine>;
  /**
   * An engine for the model packed in `path` (`inf-wasi pack`: one `.wasm` holding the component and the
   * model), registered under the name it was packed with; `options` as for `create`, without `models`.
   * Throws `invalid-model` for a file that is not a packed model of this package's component.
   */
  static fromFile(path: string, options?: Omit<EngineOptions, "models">): Promise<Engine>;
  /** The registered model names. */
  readonly models: string[];
  /** A new conversation with `model`; throws `model-not-found` for a name that was not registered. */
  session(model: string, options?: SessionOptions): Session;
  modelInfo(model: string): Promise<ModelInfo>;
  /** Token ids of `text`; `addSpecial` (default true) adds the model's BOS token. */
  tokenize(model: string, text: string, options?: { addSpecial?: boolean }): Promise<number[]>;
  /**
   * The token ids `messages` make as a chat: rendered with the model's chat template, ending with
   * the assistant's opening, as a new session's `chat` reads them. Message text never becomes
   * control tokens (a user's `<end_of_turn>` stays text). Text only.
   */
  tokenizeChat(model: string, messages: Message[]): Promise<number[]>;
  detokenize(model: string, tokens: number[] | Uint32Array): Promise<string>;
  /** One mean-pooled, L2-normalised vector per text. */
  embed(model: string, texts: string | string[]): Promise<number[][]>;
  /**
   * The plugin in the component file at `plugin` (a path, or the file's bytes): a component of inf-wasi's
   * `plugin` world, composed with this engine's component and compiled. Rejects with `invalid-input` for a
   * file that is not a plugin, or one that imports anything but the engine and WASI 0.2 (naming it).
   */
  plugin(plugin: string | Uint8Array): Promise<Plugin>;
  /** Closes every session and plugin of this engine and frees its models. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
