// Shapes internal to the package: what lib/channel.js and lib/worker.js say to
// each other, and the component as jco presents it (transpiled with
// --no-typescript, so these are written from wit/inf-wasi.wit by hand).
import type { Completion, GenerateOptions, Message, ModelInfo, PluginRun, Role, StreamEvent, ToolCall } from "../index.d.ts";

/** The component's limits, checked (lib/guards.js). */
export interface Guards {
  memoryBytes: number;
  timeMs: number;
}

/** What a channel hands its worker. */
export interface WorkerData {
  /** A session's worker: the component's compiled core modules, by file name. */
  modules?: Record<string, WebAssembly.Module>;
  /** A plugin's worker started after the first: what the first loaded. */
  plugin?: LoadedPlugin;
  /** Registered model names and their native numbers. */
  models: Record<string, number>;
  /** The cells (lib/cells.js). */
  cells: SharedArrayBuffer;
  /** The addon's cancel flag for this worker's contexts. */
  cancelFlag: number;
  guards: Guards;
}

// The WIT records as jco takes and gives them: camelCase fields, `undefined` for `none`.

/** The public options once checked: stops as a list, the schema as JSON text, tools as WIT records, no signal. */
export type WitGenerateOptions = Omit<GenerateOptions, "stop" | "jsonSchema" | "signal" | "tools" | "toolChoice"> & {
  stop: string[];
  jsonSchema?: string;
  tools: WitTool[];
  toolChoice?: WitToolChoice;
};

export interface WitTool {
  name: string;
  description?: string;
  parameters?: string;
}

export type WitToolChoice = { tag: "auto" } | { tag: "none" } | { tag: "required" } | { tag: "function"; val: string };

export type WitStreamEvent = { tag: "text"; val: string } | { tag: "tool-call"; val: ToolCall };

export interface WitSessionOptions {
  contextSize?: number;
  systemPrompt?: string;
}

export type WitContentPart = { tag: "text"; val: string } | { tag: "image"; val: Uint8Array } | { tag: "audio"; val: Uint8Array };

export interface WitMessage {
  role: Role;
  content: WitContentPart[];
  toolCalls: ToolCall[];
  toolCallId?: string;
}

/** `model-info`: its u64 fields arrive as bigints. */
export interface WitModelInfo extends Omit<ModelInfo, "parameters" | "sizeBytes" | "chatTemplate"> {
  parameters: bigint;
  sizeBytes: bigint;
  chatTemplate?: string;
}

// The component's `inference` exports, as far as the package calls them. A WIT
// `result` error is thrown (jco's ComponentError, its `payload` the WIT `error`).

export interface ComponentModel extends Disposable {
  info(): WitModelInfo;
  tokenize(text: string, addSpecial: boolean): Uint32Array;
  tokenizeChat(messages: WitMessage[]): Uint32Array;
  detokenize(tokens: Uint32Array): string;
  embed(texts: string[]): Float32Array[];
  newSession(options: WitSessionOptions): ComponentSession;
}

export interface ComponentSession extends Disposable {
  completeStream(prompt: string, options: WitGenerateOptions): ComponentTokenStream;
  chatStream(messages: WitMessage[], options: WitGenerateOptions): ComponentTokenStream;
  history(): WitMessage[];
  reset(): void;
}

export interface ComponentTokenStream extends Disposable {
  next(): string | undefined;
  nextEvent(): WitStreamEvent | undefined;
  /** `option<completion>`: set once `next` has returned `undefined`. */
  outcome(): Completion | undefined;
}

export interface Inference {
  Model: { open(name: string): ComponentModel };
}

/** A plugin composed with the component, transpiled by jco and compiled (lib/plugin-worker.js). */
export interface LoadedPlugin {
  /** jco's JavaScript, which exports `instantiate`. */
  source: string;
  /** Its core modules, by file name, compiled under the memory cap. */
  modules: Record<string, WebAssembly.Module>;
}

/** jco's synchronous `instantiate` of a composed plugin. */
export type InstantiatePlugin = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: Record<string, object>,
) => { handler: { run(input: string): string } };

// The workers' requests, by `op`: their arguments and their answers.

export type GenerateArgs =
  | { kind: "complete"; input: string; options: WitGenerateOptions; stream: boolean; events: boolean }
  | { kind: "chat"; input: WitMessage[]; options: WitGenerateOptions; stream: boolean; events: boolean };

export interface WorkerOps {
  openSession: { args: { model: string; options: WitSessionOptions }; result: void };
  generate: { args: GenerateArgs; result: Completion | undefined };
  history: { args: {}; result: Message[] };
  reset: { args: {}; result: void };
  info: { args: { model: string }; result: ModelInfo };
  tokenize: { args: { model: string; text: string; addSpecial: boolean }; result: number[] };
  tokenizeChat: { args: { model: string; messages: WitMessage[] }; result: number[] };
  detokenize: { args: { model: string; tokens: number[] }; result: string };
  embed: { args: { model: string; texts: string[] }; result: number[][] };
  close: { args: {}; result: undefined };
  /** A plugin's worker (lib/plugin-worker.js). */
  load: { args: { plugin: Uint8Array }; result: LoadedPlugin };
  run: { args: { input: string }; result: PluginRun };
}

export type WorkerOp = keyof WorkerOps;

/** A request as the worker receives it: `{ id, op, ...arguments }`. */
export type WorkerRequestOf<Op extends WorkerOp> = { id: number; op: Op } & WorkerOps[Op]["args"];

export type WorkerRequest = { [Op in WorkerOp]: WorkerRequestOf<Op> }[WorkerOp];

/** A session worker's handlers (lib/worker.js); `close` lib/worker-base.js answers. */
export type WorkerOperations = {
  [Op in Exclude<WorkerOp, "close" | "load" | "run">]: (request: WorkerRequestOf<Op>) => WorkerOps[Op]["result"];
};

/** An error as it crosses from a worker (lib/errors.js `fromWire`). */
export interface WireError {
  code: string;
  message: string;
}

/** What the worker posts back: a streamed piece, then the answer. */
export type WorkerReply =
  | { id: number; piece: string | StreamEvent }
  | { id: number; result: unknown }
  | { id: number; error: WireError };
