// The addon's shape (bindings/js/src/lib.rs); internal to the package.
export type WireTensor = [name: string, type: string, dimensions: number[], data: Uint8Array];

export interface NativeContext {
  compute(inputs: WireTensor[]): WireTensor[];
  free(): void;
}

export interface NativeGraph {
  initExecutionContext(cancel?: number): NativeContext;
}

export interface NativeLimits {
  maxContextSize?: number;
  maxOutputTokens?: number;
  maxImageBytes?: number;
  maxAudioSeconds?: number;
}

export interface Native {
  registerModel(
    name: string,
    path: string,
    contextSize?: number,
    threads?: number,
    batchSize?: number,
    limits?: NativeLimits,
    projector?: string,
    parallel?: number,
    batching?: string,
    packed?: boolean,
  ): number;
  /** A packed file's model name and component (src/lib.rs; docs/packed-models.md); throws what is wrong with it. */
  packedModel(path: string): { name: string; component: Buffer<ArrayBuffer> };
  releaseModel(id: number): void;
  createCancel(): number;
  cancel(id: number): void;
  clearCancel(id: number): void;
  releaseCancel(id: number): void;
  /** Prompt batches begun under flag `id`, ever: for tests that cancel mid-prompt. */
  promptBatchesStarted(id: number): number;
  /** `plugin` composed with the component `engine` (src/lib.rs); throws why it is not a plugin, or what it imports that is refused. */
  composePlugin(engine: Uint8Array, plugin: Uint8Array): Buffer<ArrayBuffer>;
  /** A core module with every memory it defines capped at `bytes` (src/memory_cap.rs). */
  capMemory(module: Uint8Array, bytes: number): Buffer<ArrayBuffer>;
  /** The component's report that it is about to stop, as a sentence; `null` for a model's name (docs/ggml-profile.md). */
  abortReport(name: string, memoryCap: number): string | null;
  Graph: new (id: number) => NativeGraph;
}
