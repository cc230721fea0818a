/**
 * The slice of the WebAssembly JS API FastEVM uses (synchronous compile and instantiate). The tsconfig has no
 * DOM lib and @types/node 20 declares only part of the namespace, so it is typed here once.
 */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}

export const WebAssemblyApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
