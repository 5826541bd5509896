// The addon's shape (bindings/js/src/lib.rs); internal to the package.
export type WireTensor = [name: string, type: string, dimensions: number[], data: Uint8Array];

export interface NativeContext {
  compute(inputs: WireTensor[]): WireTensor[];
  free(): void;
}

export interface NativeGraph {
  initExecutionContext(): NativeContext;
}

export interface Native {
  registerModel(name: string, path: string, contextSize?: number, threads?: number, batchSize?: number): number;
  releaseModel(id: number): void;
  Graph: new (id: number) => NativeGraph;
}
