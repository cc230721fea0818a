/** Byte-array helpers shared by every layer. Big-endian throughout, as Ethereum encodes integers. */
import { ErrorCode, fail } from "./errors.ts";

export const EMPTY_BYTES = new Uint8Array(0);

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Minimal big-endian encoding of a non-negative integer: 0 → empty bytes (as RLP wants). */
export function bigintToBytes(v: bigint): Uint8Array {
  if (v < 0n) fail(ErrorCode.INVALID_ARGUMENT, "cannot encode a negative integer");
  if (v === 0n) return EMPTY_BYTES;
  let hex = v.toString(16);
  if ((hex.length & 1) !== 0) hex = `0${hex}`;
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Fixed-width big-endian encoding (e.g. 32 bytes for a storage word). */
export function bigintToFixedBytes(v: bigint, width: number): Uint8Array {
  const raw = bigintToBytes(v);
  if (raw.length > width) fail(ErrorCode.INVALID_ARGUMENT, `integer does not fit in ${width} bytes`);
  const out = new Uint8Array(width);
  out.set(raw, width - raw.length);
  return out;
}

export function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export function numberToBytes(v: number): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) fail(ErrorCode.INVALID_ARGUMENT, `invalid integer ${v}`);
  return bigintToBytes(BigInt(v));
}

/** Left-pads to `width` bytes (no-op when already that long; error if longer). */
export function padLeft(b: Uint8Array, width: number): Uint8Array {
  if (b.length === width) return b;
  if (b.length > width)
    fail(ErrorCode.INVALID_ARGUMENT, `value of ${b.length} bytes does not fit in ${width}`);
  const out = new Uint8Array(width);
  out.set(b, width - b.length);
  return out;
}
