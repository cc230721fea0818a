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

const SAFE_BYTES_MAX = (1n << 48n) - 1n;
/** ASCII code of a lower-case hex digit → its value */
const HEX_DIGIT = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX_DIGIT[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_DIGIT[97 + i] = 10 + i;

/**
 * Minimal big-endian encoding of a non-negative integer: 0 → empty bytes (as RLP wants). Below 2^48 (nonces,
 * gas, most amounts) in float arithmetic, exact there; above through the hex string, two digits per byte.
 */
export function bigintToBytes(v: bigint): Uint8Array {
  if (v < 0n) fail(ErrorCode.INVALID_ARGUMENT, "cannot encode a negative integer");
  if (v === 0n) return EMPTY_BYTES;
  if (v <= SAFE_BYTES_MAX) {
    let n = Number(v);
    let len = 0;
    for (let x = n; x >= 1; x = Math.floor(x / 256)) len++;
    const out = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--) {
      out[i] = n % 256;
      n = Math.floor(n / 256);
    }
    return out;
  }
  const hex = v.toString(16);
  const odd = hex.length & 1;
  const out = new Uint8Array((hex.length + odd) >> 1);
  let j = 0;
  let i = 0;
  if (odd === 1) out[i++] = HEX_DIGIT[hex.charCodeAt(j++)]!;
  for (; i < out.length; i++, j += 2)
    out[i] = (HEX_DIGIT[hex.charCodeAt(j)]! << 4) | HEX_DIGIT[hex.charCodeAt(j + 1)]!;
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
