/**
 * The 2048-bit logs bloom (Yellow Paper §4.3.1): for the address and each topic of every log, three bits chosen
 * by the low 11 bits of the first three byte pairs of its keccak256 are set.
 */
import { keccak256 } from "../hash.ts";
import type { Log } from "./log.ts";

export const BLOOM_BYTES = 256;

/** Sets the three bits of `value` in `bloom` (in place). */
export function bloomAdd(bloom: Uint8Array, value: Uint8Array): void {
  const h = keccak256(value);
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
    bloom[BLOOM_BYTES - 1 - (bit >> 3)]! |= 1 << (bit & 7);
  }
}

export function logsBloom(logs: readonly Log[]): Uint8Array {
  const bloom = new Uint8Array(BLOOM_BYTES);
  for (const log of logs) {
    bloomAdd(bloom, log.address);
    for (const t of log.topics) bloomAdd(bloom, t);
  }
  return bloom;
}

/** OR of several blooms (a block's bloom from its receipts'): 32 bits at a time when aligned. */
export function mergeBlooms(blooms: Iterable<Uint8Array>): Uint8Array {
  const out = new Uint8Array(BLOOM_BYTES);
  const out32 = new Uint32Array(out.buffer);
  for (const b of blooms) {
    if (b.byteOffset % 4 === 0 && b.length === BLOOM_BYTES) {
      const b32 = new Uint32Array(b.buffer, b.byteOffset, BLOOM_BYTES / 4);
      for (let i = 0; i < BLOOM_BYTES / 4; i++) out32[i]! |= b32[i]!;
    } else for (let i = 0; i < BLOOM_BYTES; i++) out[i]! |= b[i]!;
  }
  return out;
}

/** The three bits `value` sets in a bloom, as (byte index, mask) pairs: computed once, tested many times. */
export type BloomProbe = readonly [number, number, number, number, number, number];

export function bloomProbe(value: Uint8Array): BloomProbe {
  const h = keccak256(value);
  const at = (i: number): [number, number] => {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
    return [BLOOM_BYTES - 1 - (bit >> 3), 1 << (bit & 7)];
  };
  return [...at(0), ...at(2), ...at(4)];
}

/** True when every bit of the probe is set in `bloom` (may be a false positive, never a false negative). */
export function bloomHas(bloom: Uint8Array, p: BloomProbe): boolean {
  return (bloom[p[0]]! & p[1]) !== 0 && (bloom[p[2]]! & p[3]) !== 0 && (bloom[p[4]]! & p[5]) !== 0;
}

/** True when every bit of `value` is set in `bloom` (may be a false positive, never a false negative). */
export function bloomContains(bloom: Uint8Array, value: Uint8Array): boolean {
  return bloomHas(bloom, bloomProbe(value));
}
