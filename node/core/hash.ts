/**
 * The hash functions of the node, run in a 5 KB WASM module built from our C++ (wasm/hashes/, embedded in
 * generated/hashWasm.ts): about 10x faster than pure JS for the short inputs of trie nodes, transactions and
 * consensus blocks.
 * - keccak256: Ethereum's hash (the EVM's own Keccak);
 * - blake2b256: BLAKE2b with a 32-byte digest, the consensus block and commit digest.
 * Inputs larger than the module's buffer (128 KiB) go to @noble/hashes, which is also the test oracle.
 * Each thread instantiates its own module on first import.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { HASH_WASM_BASE64 } from "./generated/hashWasm.ts";
import { compileOptimized, WebAssemblyApi } from "./wasmApi.ts";

interface HashExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  hash_buffer(): number;
  hash_buffer_size(): number;
  keccak_hash(len: number): void;
  blake2b256_hash(len: number): void;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const wasm = new WebAssemblyApi.Instance(compileOptimized(base64ToBytes(HASH_WASM_BASE64)), {})
  .exports as unknown as HashExports;
const BUFFER_SIZE = wasm.hash_buffer_size();
// The module's memory never grows (built without ALLOW_MEMORY_GROWTH), so this view stays valid.
const io = new Uint8Array(wasm.memory.buffer, wasm.hash_buffer(), BUFFER_SIZE);

export function keccak256(data: Uint8Array): Uint8Array {
  if (data.length > BUFFER_SIZE) return keccak_256(data);
  io.set(data);
  wasm.keccak_hash(data.length);
  return io.slice(0, 32);
}

/** keccak256 of the empty string. */
export const KECCAK256_EMPTY: Uint8Array = keccak256(new Uint8Array(0));

/** Unkeyed BLAKE2b with a 32-byte digest (RFC 7693). */
export function blake2b256(data: Uint8Array): Uint8Array {
  if (data.length > BUFFER_SIZE) return blake2b(data, { dkLen: 32 });
  io.set(data);
  wasm.blake2b256_hash(data.length);
  return io.slice(0, 32);
}
