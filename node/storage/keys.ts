/**
 * Key encodings of the tables in `tables.ts`, in one place so every writer and reader agrees. Integers are
 * fixed-width big-endian so that LMDB's lexicographic order is numeric order.
 */
import { bigintToFixedBytes, bytesToBigint } from "../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";

function need(b: Uint8Array, n: number, what: string): void {
  if (b.length !== n)
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${what} must be ${n} bytes, got ${b.length}`);
}

/** `canonical` key, `consensusCommits` key: an 8-byte big-endian integer. */
export function u64Key(n: bigint | number): Uint8Array {
  return bigintToFixedBytes(BigInt(n), 8);
}

export function u64FromKey(key: Uint8Array): bigint {
  need(key, 8, "u64 key");
  return bytesToBigint(key);
}

/** `storage` key: address (20) ‖ slot (32); all slots of one account are contiguous. */
export function storageKey(address: Uint8Array, slot: Uint8Array): Uint8Array {
  need(address, 20, "address");
  need(slot, 32, "storage slot");
  const key = new Uint8Array(52);
  key.set(address);
  key.set(slot, 20);
  return key;
}

/** `meta` key: UTF-8 of one of `META_KEYS`. */
export function metaKey(name: string): Uint8Array {
  return new TextEncoder().encode(name);
}

/** Where a transaction lives: the `txIndex` value. */
export interface TxLocation {
  readonly blockHash: Uint8Array;
  readonly index: number;
}

export function encodeTxLocation(loc: TxLocation): Uint8Array {
  need(loc.blockHash, 32, "block hash");
  const out = new Uint8Array(36);
  out.set(loc.blockHash);
  new DataView(out.buffer).setUint32(32, loc.index);
  return out;
}

export function decodeTxLocation(value: Uint8Array): TxLocation {
  need(value, 36, "tx location");
  return {
    blockHash: value.slice(0, 32),
    index: new DataView(value.buffer, value.byteOffset, 36).getUint32(32),
  };
}
