// `Plugin`: a component of inf-wasi's `plugin` world (wit/inf-wasi.wit), which
// imports the engine's `inference` interface and exports `handler`. It runs on
// a worker of its own (lib/plugin-worker.js), in a fresh instance per call: it
// shares the engine's models and limits, and each call gets its own sessions.
import { InfWasiError, invalidInput } from "./errors.js";
import * as convert from "./options.js";

/** @typedef {import("./channel.js").Channel} Channel */
/** @typedef {import("./internal-types.d.ts").LoadedPlugin} LoadedPlugin */

/** Holds a plugin's current worker, so that one dropped without close() is closed. */
/** @type {FinalizationRegistry<{ channel: Channel | null }>} */
const abandoned = new FinalizationRegistry((held) => held.channel?.close());

export class Plugin {
  #open;
  #loaded;
  /** The worker now running the plugin; a new one replaces it after a trap or the time limit. */
  #held;
  #closed = false;

  /**
   * @internal Use `Engine.plugin`.
   * @param {(loaded: LoadedPlugin) => Channel} open starts a worker for what was loaded
   * @param {LoadedPlugin} loaded
   * @param {Channel} channel the worker that loaded it
   */
  constructor(open, loaded, channel) {
    this.#open = open;
    this.#loaded = loaded;
    this.#held = { channel: /** @type {Channel | null} */ (channel) };
    abandoned.register(this, this.#held, this.#held);
  }

  /**
   * Runs the plugin on `input` in a fresh instance, under the engine's guards: a
   * plugin that runs past the time limit rejects with code "cancelled", one that
   * traps (a panic) with "backend"; the engine goes on either way. The plugin's
   * own error is the result's `error`.
   * @param {string} input
   * @returns {Promise<import("../index.d.ts").PluginRun>}
   */
  async run(input) {
    if (this.#closed) throw invalidInput("the plugin is closed");
    convert.text("a plugin's input", input);
    let channel = this.#held.channel;
    if (channel === null || channel.failed) channel = this.#held.channel = this.#open(this.#loaded);
    try {
      return await channel.request("run", { input });
    } catch (e) {
      // A trap or the time limit: the worker's state is not to be trusted, and its
      // native contexts are freed with it. The next call starts another.
      if (e instanceof InfWasiError && (e.code === "backend" || e.code === "cancelled")) {
        this.#held.channel = null;
        void channel.close();
      }
      throw e;
    }
  }

  /** Ends the plugin's worker. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    abandoned.unregister(this.#held);
    const channel = this.#held.channel;
    this.#held.channel = null;
    await channel?.close();
  }

  async [Symbol.asyncDispose]() {
    await this.close();
  }
}
