// `Engine`: the models an application registered, by name, and the sessions
// made over them.
import { readFile } from "node:fs/promises";
import { Channel, PLUGIN_WORKER, SESSION_WORKER } from "./channel.js";
import { coreModules, sameComponent } from "./component.js";
import { InfWasiError, invalidInput } from "./errors.js";
import { guards as checkGuards } from "./guards.js";
import { native } from "./native.js";
import * as convert from "./options.js";
import { Plugin } from "./plugin.js";
import { Session } from "./session.js";

// A session or engine dropped without close() must not keep a worker thread for ever.
/** @type {FinalizationRegistry<Channel>} */
const abandoned = new FinalizationRegistry((channel) => channel.close());

export class Engine {
  #modules;
  /** Registered names and their numbers in the native model table. */
  #models;
  /** The workers of live sessions, closed with the engine. */
  /** @type {Set<Channel>} */
  #channels = new Set();
  /** The instance that serves model calls (info, tokenize, embed). */
  /** @type {Channel | null} */
  #utility = null;
  /** With `warmWorker`, a worker started ahead of need (a thread and an instance take tens of milliseconds). */
  /** @type {Channel | null} */
  #spare = null;
  #warm;
  /** The component's memory cap and time limit, for every worker (lib/guards.js). */
  #guards;
  #closed = false;

  /**
   * @internal Use `Engine.create`.
   * @param {Record<string, WebAssembly.Module>} modules
   * @param {Record<string, number>} models
   * @param {boolean} warm
   * @param {import("./internal-types.d.ts").Guards} guards
   */
  constructor(modules, models, warm, guards) {
    this.#modules = modules;
    this.#models = models;
    this.#warm = warm;
    this.#guards = guards;
  }

  /**
   * Registers `models` (a name to a GGUF path, or to `{ path, contextSize,
   * threads, batchSize, parallel, batching }`); nothing is loaded until a
   * session or call needs it. Those options at the top level are defaults for
   * every model.
   * `warmWorker` keeps one worker started ahead of need, so that a new session
   * starts in milliseconds rather than tens of them, for the memory of an idle
   * worker.
   * @param {import("../index.d.ts").EngineOptions} options
   */
  static async create(options) {
    if (options === null || typeof options !== "object") throw invalidInput("Engine.create needs { models }");
    convert.onlyKeys("Engine.create options", options, [
      "models",
      "threads",
      "contextSize",
      "batchSize",
      "parallel",
      "batching",
      "warmWorker",
      "maxContextSize",
      "maxOutputTokens",
      "maxImageBytes",
      "maxAudioSeconds",
      "guestMemoryLimit",
      "guestTimeLimit",
    ]);
    const { models, threads, contextSize, batchSize, parallel, batching, warmWorker = false } = options;
    const limits = convert.limits(options);
    const guards = checkGuards(options);
    if (typeof warmWorker !== "boolean") throw invalidInput("warmWorker must be a boolean");
    if (models === null || typeof models !== "object" || Object.keys(models).length === 0) {
      throw invalidInput("models must map at least one name to a GGUF path");
    }
    if (Object.keys(models).includes("")) throw invalidInput("model names must not be empty");
    const specs = Object.entries(models).map(([name, spec]) => ({
      name,
      o: convert.loadOptions(name, spec, { threads, contextSize, batchSize, parallel, batching }),
    }));
    const modules = await coreModules(guards.memoryBytes);
    // No prototype: a model may be called "constructor" or "__proto__".
    /** @type {Record<string, number>} */
    const registered = Object.create(null);
    try {
      for (const { name, o } of specs) {
        registered[name] = native.registerModel(
          name,
          o.path,
          o.contextSize,
          o.threads,
          o.batchSize,
          limits,
          o.projector,
          o.parallel,
          o.batching,
          o.packed,
        );
      }
    } catch (e) {
      Object.values(registered).forEach((id) => native.releaseModel(id));
      throw invalidInput(e instanceof Error ? e.message : String(e));
    }
    const engine = new Engine(modules, registered, warmWorker, guards);
    engine.#startSpare();
    return engine;
  }

  /**
   * An engine for the model packed in `path` (`inf-wasi pack`), registered under
   * the name it was packed with; the weights are mapped from the file where they
   * lie, after their hash and the GGUF check.
   * @param {string} path
   * @param {Omit<import("../index.d.ts").EngineOptions, "models">} [options]
   */
  static async fromFile(path, options = {}) {
    if (typeof path !== "string" || path === "") throw invalidInput("Engine.fromFile needs the path of a packed .wasm");
    /** @type {{ name: string; component: Buffer<ArrayBuffer> }} */
    let packed;
    try {
      packed = native.packedModel(path);
    } catch (e) {
      throw new InfWasiError("invalid-model", e instanceof Error ? e.message : String(e));
    }
    if (!(await sameComponent(packed.component))) {
      throw new InfWasiError(
        "invalid-model",
        `${path} holds another build of the inf-wasi component than this package's; pack it again with this version`,
      );
    }
    return Engine.create({ ...options, models: { [packed.name]: { path, packed: true } } });
  }

  /** The registered model names. */
  get models() {
    return Object.keys(this.#models);
  }

  /**
   * A new conversation with `model`, on its own worker thread: sessions generate
   * at the same time. Options: `contextSize`, `systemPrompt`.
   * @param {string} model
   * @param {import("../index.d.ts").SessionOptions} [options]
   */
  session(model, options) {
    this.#checkOpen();
    if (typeof model !== "string") throw invalidInput("the model name must be a string");
    if (!Object.hasOwn(this.#models, model)) {
      throw new InfWasiError("model-not-found", `no model is registered as ${JSON.stringify(model)}`);
    }
    const opened = convert.sessionOptions(options);
    for (const channel of this.#channels) if (channel.failed) this.#channels.delete(channel);
    const channel = this.#channel();
    this.#channels.add(channel);
    // The worker opens the session first; if that fails (an invalid model file,
    // say), it answers every later request with that error. The next spare
    // starts after, so as not to slow this session's start.
    channel.request("openSession", { model, options: opened }).then(
      () => this.#startSpare(),
      () => this.#startSpare(),
    );
    const session = new Session(channel);
    abandoned.register(session, channel, channel);
    return session;
  }

  /**
   * The plugin in the component file at `plugin` (a path, or the file's bytes):
   * a component of inf-wasi's `plugin` world, composed with this engine's
   * component and compiled, on a worker of its own. A file that is not a plugin,
   * or one that imports anything but the engine and WASI 0.2, rejects with code
   * "invalid-input" naming why.
   * @param {string | Uint8Array} plugin
   */
  async plugin(plugin) {
    this.#checkOpen();
    const bytes = await pluginBytes(plugin);
    for (const channel of this.#channels) if (channel.failed) this.#channels.delete(channel);
    const open = (/** @type {import("./internal-types.d.ts").LoadedPlugin | undefined} */ loaded) => {
      this.#checkOpen();
      const channel = new Channel(PLUGIN_WORKER, { models: this.#models, guards: this.#guards, plugin: loaded });
      this.#channels.add(channel);
      return channel;
    };
    const channel = open(undefined);
    try {
      return new Plugin(open, await channel.request("load", { plugin: bytes }), channel);
    } catch (e) {
      void channel.close();
      throw e;
    }
  }

  /**
   * What the model file says about itself.
   * @param {string} model
   */
  modelInfo(model) {
    return this.#call("info", { model });
  }

  /**
   * Token ids of `text`; `addSpecial` (default true) adds the model's BOS token.
   * @param {string} model
   * @param {string} text
   * @param {{ addSpecial?: boolean }} [options]
   */
  tokenize(model, text, options) {
    const addSpecial = options?.addSpecial ?? true;
    try {
      convert.text("text", text);
    } catch (error) {
      return Promise.reject(error);
    }
    if (typeof addSpecial !== "boolean") return Promise.reject(invalidInput("addSpecial must be a boolean"));
    return this.#call("tokenize", { model, text, addSpecial });
  }

  /**
   * The token ids `messages` make as a chat: rendered with the model's chat template, ending with
   * the assistant's opening, as a new session's `chat` reads them. Message text never becomes
   * control tokens (a user's `<end_of_turn>` stays text). Text only.
   * @param {string} model
   * @param {import("../index.d.ts").Message[]} messages
   */
  tokenizeChat(model, messages) {
    try {
      return this.#call("tokenizeChat", { model, messages: convert.messages(messages) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The text of token ids.
   * @param {string} model
   * @param {number[] | Uint32Array} tokens
   */
  detokenize(model, tokens) {
    const valid = (Array.isArray(tokens) || tokens instanceof Uint32Array) &&
      Array.prototype.every.call(tokens, (/** @type {number} */ t) => Number.isInteger(t) && t >= 0 && t < 2 ** 32);
    if (!valid) return Promise.reject(invalidInput("tokens must be an array of token ids"));
    return this.#call("detokenize", { model, tokens: Array.from(tokens) });
  }

  /**
   * One mean-pooled, L2-normalised vector per text (a single string gives one vector in an array).
   * @param {string} model
   * @param {string | string[]} texts
   */
  embed(model, texts) {
    const batch = typeof texts === "string" ? [texts] : texts;
    if (!Array.isArray(batch)) return Promise.reject(invalidInput("texts must be a string or an array of strings"));
    try {
      batch.forEach((t, i) => convert.text(`texts[${i}]`, t));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#call("embed", { model, texts: batch });
  }

  /**
   * @template {import("./internal-types.d.ts").WorkerOp} Op
   * @param {Op} op
   * @param {import("./internal-types.d.ts").WorkerOps[Op]["args"] & { model: string }} args
   */
  #call(op, args) {
    if (this.#closed) return Promise.reject(invalidInput("the engine is closed"));
    if (typeof args.model !== "string") return Promise.reject(invalidInput("the model name must be a string"));
    let utility = this.#utility;
    if (utility === null || utility.failed) {
      utility = this.#utility = this.#channel();
      this.#startSpare();
    }
    return utility.request(op, args);
  }

  /** A worker with a fresh instance: the spare if there is one. */
  #channel() {
    const spare = this.#spare;
    this.#spare = null;
    if (spare !== null) abandoned.unregister(spare);
    return spare !== null && !spare.failed ? spare : this.#sessionChannel();
  }

  #sessionChannel() {
    return new Channel(SESSION_WORKER, { modules: this.#modules, models: this.#models, guards: this.#guards });
  }

  #startSpare() {
    if (!this.#warm || this.#closed || this.#spare !== null) return;
    const spare = (this.#spare = this.#sessionChannel());
    abandoned.register(this, spare, spare);
  }

  #checkOpen() {
    if (this.#closed) throw invalidInput("the engine is closed");
  }

  /** Closes every session made by this engine, and forgets its models: their memory is freed. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    const channels = [...this.#channels, this.#utility, this.#spare].filter((c) => c !== null);
    this.#spare = null;
    this.#channels.clear();
    await Promise.all(channels.map((c) => c.close()));
    this.#utility = null;
    Object.values(this.#models).forEach((id) => native.releaseModel(id));
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }
}

/**
 * A plugin's bytes: read from its path, or given.
 * @param {unknown} plugin
 */
async function pluginBytes(plugin) {
  if (plugin instanceof Uint8Array) return plugin;
  if (typeof plugin !== "string" || plugin === "") throw invalidInput("a plugin is a component file's path or bytes");
  try {
    return await readFile(plugin);
  } catch (e) {
    throw invalidInput(`the plugin ${plugin} could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}
