/**
 * Keccak-256 (Ethereum's hash). The hot path is the EVM's own C++ Keccak compiled to a 3 KB WASM module
 * (wasm/keccak/, embedded in generated/keccakWasm.ts): about 10x faster than pure JS for the short inputs of
 * trie nodes and transactions. Inputs larger than the module's buffer (128 KiB) go to @noble/hashes, which
 * is also the test oracle. Each thread instantiates its own module on first import.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { KECCAK_WASM_BASE64 } from "./generated/keccakWasm.ts";
import { WebAssemblyApi } from "./wasmApi.ts";

interface KeccakExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  keccak_buffer(): number;
  keccak_buffer_size(): number;
  keccak_hash(len: number): void;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const wasm = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(base64ToBytes(KECCAK_WASM_BASE64)), {})
  .exports as unknown as KeccakExports;
const BUFFER_SIZE = wasm.keccak_buffer_size();
// The module's memory never grows (built without ALLOW_MEMORY_GROWTH), so this view stays valid.
const io = new Uint8Array(wasm.memory.buffer, wasm.keccak_buffer(), BUFFER_SIZE);

export function keccak256(data: Uint8Array): Uint8Array {
  if (data.length > BUFFER_SIZE) return keccak_256(data);
  io.set(data);
  wasm.keccak_hash(data.length);
  return io.slice(0, 32);
}

/** keccak256 of the empty string. */
export const KECCAK256_EMPTY: Uint8Array = keccak256(new Uint8Array(0));
