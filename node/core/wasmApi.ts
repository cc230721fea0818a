/**
 * The slice of the WebAssembly JS API FastEVM uses (synchronous compile and instantiate). The tsconfig has no
 * DOM lib and @types/node 20 declares only part of the namespace, so it is typed here once.
 */
import { setFlagsFromString } from "node:v8";

export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}

export const WebAssemblyApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let optimizingOnly = false;

/**
 * Compiles `bytes` with V8's optimizing tier only. By default V8 first runs WebAssembly in its baseline
 * compiler (Liftoff) and swaps in optimized code later, but it has no on-stack replacement for WebAssembly:
 * a call that started in baseline code stays there to its end. One long call (a transaction of many
 * million gas in a fresh worker, a 4-billion-round BLAKE2F) then runs about 5× slower (measured on
 * stTimeConsuming/CALLBlake2f_MaxRounds: 636 s against 124 s). The flag is process-wide and only changes
 * how modules compiled after it are compiled.
 */
export function compileOptimized(bytes: Uint8Array): object {
  if (!optimizingOnly) {
    setFlagsFromString("--no-liftoff");
    optimizingOnly = true;
  }
  return new WebAssemblyApi.Module(bytes);
}
