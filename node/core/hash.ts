/** Keccak-256 (Ethereum's hash). Pure JS from @noble/hashes; the WASM EVM has its own in C++. */
import { keccak_256 } from "@noble/hashes/sha3.js";

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** keccak256 of the empty string. */
export const KECCAK256_EMPTY: Uint8Array = keccak256(new Uint8Array(0));
