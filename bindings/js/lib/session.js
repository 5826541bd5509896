// `Session`: one conversation, in its own component instance on its own worker.
import { invalidInput } from "./errors.js";
import * as convert from "./options.js";
import { parsed, splitSchema } from "./typed.js";

/** @typedef {import("../index.d.ts").Completion} Completion */
/** @typedef {import("../index.d.ts").GenerateOptions} GenerateOptions */

/**
 * Text pieces as they are generated (whole UTF-8 characters), or with
 * `chatEvents` text and tool-call events, as an async iterator. After the last,
 * `completion` holds the finish reason, usage and any tool calls. Leaving a
 * `for await` loop early cancels the generation.
 * @template [T=string]
 */
export class TokenStream {
  /** @type {T[]} */
  #pieces = [];
  /** @type {(() => void) | null} */
  #wake = null;
  #settled = false;
  /** @type {Error | null} */
  #error = null;
  #cancel;
  #done;
  /** @type {import("../index.d.ts").Completion | undefined} */
  completion = undefined;

  /**
   * @internal `start(onPiece)` sends the request: `{ cancel(), done }`.
   * @param {(onPiece: (piece: T) => void) => { cancel(): void, done: Promise<Completion | undefined> }} start
   */
  constructor(start) {
    const onPiece = (/** @type {T} */ piece) => {
      this.#pieces.push(piece);
      this.#notify();
    };
    const { cancel, done } = start(onPiece);
    this.#cancel = cancel;
    this.#done = done.then(
      (completion) => this.#settle(null, completion),
      (error) => this.#settle(error, undefined),
    );
  }

  /**
   * @param {Error | null} error
   * @param {Completion | undefined} completion
   */
  #settle(error, completion) {
    this.#error = error;
    this.completion = completion;
    this.#settled = true;
    this.#notify();
  }

  #notify() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  async next() {
    for (;;) {
      if (this.#pieces.length > 0) return { value: this.#pieces.shift(), done: false };
      if (this.#settled) {
        const error = this.#error;
        this.#error = null;
        if (error !== null) throw error;
        return { value: undefined, done: true };
      }
      await new Promise((resolve) => (this.#wake = () => resolve(undefined)));
    }
  }

  /** Stops the generation; leaving a `for await` loop early calls this. */
  async return() {
    if (!this.#settled) this.#cancel();
    await this.#done;
    this.#pieces = [];
    this.#error = null;
    return { value: undefined, done: true };
  }
}

export class Session {
  #channel;
  #closed = false;

  /**
   * @internal Made by `Engine.session`, which opens the session in `channel`'s worker.
   * @param {import("./channel.js").Channel} channel
   */
  constructor(channel) {
    this.#channel = channel;
  }

  /**
   * Raw completion of `prompt`, no chat template.
   * @param {string} prompt
   * @param {GenerateOptions} [options]
   */
  complete(prompt, options) {
    return this.#typed(options, (plain) => this.#generate("complete", () => convert.prompt(prompt), plain, false).done);
  }

  /**
   * Like `complete`, piece by piece.
   * @param {string} prompt
   * @param {GenerateOptions} [options]
   */
  stream(prompt, options) {
    return new TokenStream((onPiece) => this.#generate("complete", () => convert.prompt(prompt), options, onPiece));
  }

  /**
   * Adds `messages` to the conversation and generates the reply, which joins it.
   * @param {import("../index.d.ts").Message[]} messages
   * @param {GenerateOptions} [options]
   */
  chat(messages, options) {
    return this.#typed(options, (plain) => this.#generate("chat", () => convert.messages(messages), plain, false).done);
  }

  /**
   * Runs `generate` with `options`, whose `schema` (a Standard Schema, such as Zod's)
   * becomes its `jsonSchema`; with a schema, resolves to the validated value.
   * @param {GenerateOptions | undefined} options
   * @param {(options: GenerateOptions | undefined) => Promise<import("../index.d.ts").Completion | undefined>} generate
   * @returns {Promise<any>}
   */
  async #typed(options, generate) {
    const [plain, schema] = splitSchema(/** @type {Record<string, unknown> | undefined} */ (options));
    const completion = await generate(plain);
    return schema ? parsed(schema, /** @type {import("../index.d.ts").Completion} */ (completion)) : completion;
  }

  /**
   * Like `chat`, piece by piece.
   * @param {import("../index.d.ts").Message[]} messages
   * @param {GenerateOptions} [options]
   */
  chatStream(messages, options) {
    return new TokenStream((onPiece) => this.#generate("chat", () => convert.messages(messages), options, onPiece));
  }

  /**
   * Like `chatStream`, with each tool call the model makes, once it is whole.
   * @param {import("../index.d.ts").Message[]} messages
   * @param {GenerateOptions} [options]
   * @returns {TokenStream<import("../index.d.ts").StreamEvent>}
   */
  chatEvents(messages, options) {
    return new TokenStream((onEvent) => this.#generate("chat", () => convert.messages(messages), options, onEvent, true));
  }

  /** The conversation so far. */
  history() {
    return this.#send("history", {}).done;
  }

  /** Forgets the conversation (keeping the system prompt) and clears the KV cache. */
  async reset() {
    await this.#send("reset", {}).done;
  }

  /**
   * Converts the arguments (a bad one rejects) and sends one generation.
   * @param {"complete" | "chat"} kind
   * @param {() => string | import("./internal-types.d.ts").WitMessage[]} input
   * @param {GenerateOptions | undefined} options
   * @param {((piece: any) => void) | false} onPiece false: not streamed
   * @param {boolean} [events] stream text and tool-call events, not text alone
   */
  #generate(kind, input, options, onPiece, events = false) {
    let args;
    let signal;
    try {
      const { signal: s, ...rest } = options ?? {};
      if (s !== undefined && !(s instanceof AbortSignal)) throw invalidInput("signal must be an AbortSignal");
      signal = s;
      args = { kind, input: input(), options: convert.generateOptions(rest), stream: onPiece !== false, events };
    } catch (error) {
      return { cancel() {}, done: Promise.reject(error) };
    }
    return this.#send("generate", args, { signal, onPiece: onPiece || undefined });
  }

  /**
   * @template {import("./internal-types.d.ts").WorkerOp} Op
   * @param {Op} op
   * @param {object} args
   * @param {import("./channel.js").SendOptions} [options]
   */
  #send(op, args, options) {
    if (this.#closed) return { cancel() {}, done: Promise.reject(invalidInput("this session is closed")) };
    const { id, done } = this.#channel.send(op, args, options);
    return { cancel: () => this.#channel.cancel(id), done };
  }

  /**
   * @internal Not in index.d.ts: prompt batches this session has begun to
   * evaluate, ever, so a test can cancel once prompt evaluation is under way.
   */
  promptBatchesStarted() {
    return this.#channel.promptBatchesStarted();
  }

  /** Ends the session and its worker. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await this.#channel.close();
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }
}
