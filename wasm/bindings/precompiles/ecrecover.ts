/**
 * ECRECOVER (0x01): signer address of (hash, v, r, s) as a left-padded word. Unlike transaction
 * signatures, the precompile accepts high s (no EIP-2 rule) and answers "no address" with empty
 * output instead of failing: v not exactly 27/28, r or s outside [1, n-1], or no recoverable point.
 */
import { recoverAddress, SECP256K1_N } from "../../../node/core/crypto/secp256k1.ts";
import { readWord, rightPad } from "./words.ts";

const NO_ADDRESS = new Uint8Array(0);

export function ecrecover(input: Uint8Array): Uint8Array {
  const data = rightPad(input, 128);
  const v = readWord(data, 32);
  if (v !== 27n && v !== 28n) return NO_ADDRESS;
  const r = readWord(data, 64);
  const s = readWord(data, 96);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) return NO_ADDRESS;
  let address: Uint8Array;
  try {
    address = recoverAddress(data.subarray(0, 32), r, s, Number(v - 27n));
  } catch {
    return NO_ADDRESS;
  }
  const out = new Uint8Array(32);
  out.set(address, 12);
  return out;
}
