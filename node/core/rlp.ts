/**
 * Recursive Length Prefix (Yellow Paper, appendix B): strict encoder and decoder.
 *
 * The decoder accepts only canonical encodings and rejects, with a typed `FastEvmError`:
 * single bytes < 0x80 wrapped in a string header, long-form headers for payloads under 56 bytes,
 * length fields with leading zeros, lengths running past the input, and trailing bytes.
 */
import { bigintToBytes } from "./bytes.ts";
import { ErrorCode, FastEvmError } from "./errors.ts";

/** A decoded RLP item: a byte string or a list of items. */
export type RlpItem = Uint8Array | RlpItem[];

/** What the encoder accepts: integers are encoded big-endian without leading zeros (0 → empty string). */
export type RlpInput = Uint8Array | bigint | number | readonly RlpInput[];

/** Inputs longer than this are refused up front: no single Ethereum object comes near it. */
export const RLP_MAX_INPUT = 2 ** 31 - 1;

function rlpError(code: ErrorCode, message: string, offset: number): FastEvmError {
  return new FastEvmError(code, `invalid RLP: ${message} at offset ${offset}`, { offset });
}

// ---------------------------------------------------------------------------------------------------------
// Encoding: one pass to size the output, one to write it, so the output is a single allocation.

function toBytes(v: Uint8Array | bigint | number): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0)
      throw rlpError(ErrorCode.INVALID_ARGUMENT, `cannot encode ${v}`, 0);
    return bigintToBytes(BigInt(v));
  }
  return bigintToBytes(v);
}

function lengthOfLength(n: number): number {
  let l = 0;
  while (n > 0) {
    l++;
    n = Math.floor(n / 256);
  }
  return l;
}

function headerSize(payload: number): number {
  return payload < 56 ? 1 : 1 + lengthOfLength(payload);
}

/**
 * The sizing pass: each list's payload size into `sizes` and each scalar's bytes into `scalars`, in the
 * order the writer consumes them (an integer is converted to bytes once).
 */
function measure(input: RlpInput, sizes: number[], scalars: Uint8Array[]): number {
  if (Array.isArray(input)) {
    const slot = sizes.length;
    sizes.push(0);
    let payload = 0;
    for (const item of input as readonly RlpInput[]) payload += measure(item, sizes, scalars);
    sizes[slot] = payload;
    return headerSize(payload) + payload;
  }
  const b = toBytes(input as Uint8Array | bigint | number);
  scalars.push(b);
  return rlpStringSize(b);
}

function writeHeader(out: Uint8Array, pos: number, payload: number, shortBase: number): number {
  if (payload < 56) {
    out[pos] = shortBase + payload;
    return pos + 1;
  }
  const ll = lengthOfLength(payload);
  out[pos] = shortBase + 55 + ll;
  for (let i = ll; i >= 1; i--) {
    out[pos + i] = payload & 0xff;
    payload = Math.floor(payload / 256);
  }
  return pos + 1 + ll;
}

/** The writing pass over what `measure` recorded; `cursor` counts the lists and scalars consumed. */
function write(
  input: RlpInput,
  out: Uint8Array,
  pos: number,
  sizes: readonly number[],
  scalars: readonly Uint8Array[],
  cursor: { list: number; scalar: number },
): number {
  if (Array.isArray(input)) {
    const payload = sizes[cursor.list++]!;
    pos = writeHeader(out, pos, payload, 0xc0);
    for (const item of input as readonly RlpInput[]) pos = write(item, out, pos, sizes, scalars, cursor);
    return pos;
  }
  return writeRlpString(out, pos, scalars[cursor.scalar++]!);
}

export function encodeRlp(input: RlpInput): Uint8Array {
  return encodeRlpPrefixed(-1, input);
}

/**
 * `prefix` (a byte, e.g. an EIP-2718 type) followed by the encoding of `input`, in one allocation; a
 * negative `prefix` is none.
 */
export function encodeRlpPrefixed(prefix: number, input: RlpInput): Uint8Array {
  const sizes: number[] = [];
  const scalars: Uint8Array[] = [];
  const start = prefix < 0 ? 0 : 1;
  const out = new Uint8Array(start + measure(input, sizes, scalars));
  if (start === 1) out[0] = prefix;
  write(input, out, start, sizes, scalars, { list: 0, scalar: 0 });
  return out;
}

/** The size of `b` encoded as an RLP string. */
export function rlpStringSize(b: Uint8Array): number {
  return b.length === 1 && b[0]! < 0x80 ? 1 : headerSize(b.length) + b.length;
}

/** Writes `b` as an RLP string at `pos` (room for `rlpStringSize(b)` bytes); returns the position after it. */
export function writeRlpString(out: Uint8Array, pos: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    out[pos] = b[0]!;
    return pos + 1;
  }
  pos = writeHeader(out, pos, b.length, 0x80);
  out.set(b, pos);
  return pos + b.length;
}

/** A list whose payload is `payload` bytes: its header written at the start of one allocation of the whole. */
export function rlpListWithPayload(payload: number): { readonly out: Uint8Array; readonly pos: number } {
  const out = new Uint8Array(headerSize(payload) + payload);
  return { out, pos: writeHeader(out, 0, payload, 0xc0) };
}

/** Wraps an already RLP-encoded payload (concatenated items) in a list header. */
export function encodeRlpListPayload(payload: Uint8Array): Uint8Array {
  const { out, pos } = rlpListWithPayload(payload.length);
  out.set(payload, pos);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

interface Header {
  /** true for a list */
  list: boolean;
  /** offset of the payload */
  start: number;
  /** offset one past the payload */
  end: number;
}

function readHeader(data: Uint8Array, pos: number, limit: number): Header {
  if (pos >= limit) throw rlpError(ErrorCode.RLP_TRUNCATED, "unexpected end of input", pos);
  const b = data[pos]!;
  if (b < 0x80) return { list: false, start: pos, end: pos + 1 };
  if (b < 0xb8) {
    const len = b - 0x80;
    const end = pos + 1 + len;
    if (end > limit)
      throw rlpError(ErrorCode.RLP_TRUNCATED, `string of ${len} bytes runs past the input`, pos);
    if (len === 1 && data[pos + 1]! < 0x80) {
      throw rlpError(
        ErrorCode.RLP_NON_CANONICAL,
        "single byte below 0x80 must not have a string header",
        pos,
      );
    }
    return { list: false, start: pos + 1, end };
  }
  if (b < 0xc0) return readLong(data, pos, limit, b - 0xb7, false);
  if (b < 0xf8) {
    const len = b - 0xc0;
    const end = pos + 1 + len;
    if (end > limit) throw rlpError(ErrorCode.RLP_TRUNCATED, `list of ${len} bytes runs past the input`, pos);
    return { list: true, start: pos + 1, end };
  }
  return readLong(data, pos, limit, b - 0xf7, true);
}

function readLong(data: Uint8Array, pos: number, limit: number, ll: number, list: boolean): Header {
  if (pos + 1 + ll > limit) throw rlpError(ErrorCode.RLP_TRUNCATED, "length field runs past the input", pos);
  if (data[pos + 1] === 0) throw rlpError(ErrorCode.RLP_LEADING_ZERO, "length field has a leading zero", pos);
  if (ll > 4) throw rlpError(ErrorCode.RLP_TOO_LARGE, `length field of ${ll} bytes is too large`, pos);
  let len = 0;
  for (let i = 0; i < ll; i++) len = len * 256 + data[pos + 1 + i]!;
  if (len < 56) throw rlpError(ErrorCode.RLP_NON_CANONICAL, `long form used for a ${len}-byte payload`, pos);
  const start = pos + 1 + ll;
  const end = start + len;
  if (end > limit) {
    throw rlpError(
      ErrorCode.RLP_TRUNCATED,
      `${list ? "list" : "string"} of ${len} bytes runs past the input`,
      pos,
    );
  }
  return { list, start, end };
}

function decodeAt(data: Uint8Array, pos: number, limit: number, depth: number): [RlpItem, number] {
  if (depth > 1024) throw rlpError(ErrorCode.RLP_TOO_LARGE, "nesting deeper than 1024 lists", pos);
  const h = readHeader(data, pos, limit);
  if (!h.list) return [data.subarray(h.start, h.end), h.end];
  const items: RlpItem[] = [];
  let p = h.start;
  while (p < h.end) {
    const [item, next] = decodeAt(data, p, h.end, depth + 1);
    items.push(item);
    p = next;
  }
  return [items, h.end];
}

/**
 * Decodes exactly one item spanning the whole input. Byte strings in the result are views into `data`
 * (no copies); copy them if the input buffer will be reused.
 */
export function decodeRlp(data: Uint8Array): RlpItem {
  if (data.length === 0) throw rlpError(ErrorCode.RLP_EMPTY, "empty input", 0);
  const [item, end] = decodeAt(data, 0, data.length, 0);
  if (end !== data.length) {
    throw rlpError(ErrorCode.RLP_TRAILING_BYTES, `${data.length - end} trailing bytes after the item`, end);
  }
  return item;
}

/** Decodes one item at `offset` and returns it with the offset just past it (for concatenated streams). */
export function decodeRlpPrefix(data: Uint8Array, offset = 0): { item: RlpItem; end: number } {
  const [item, end] = decodeAt(data, offset, data.length, 0);
  return { item, end };
}

// ---------------------------------------------------------------------------------------------------------
// Typed accessors for decoders of Ethereum objects. `what` names the field in the error message.

export function rlpBytes(item: RlpItem | undefined, what: string): Uint8Array {
  if (!(item instanceof Uint8Array)) {
    throw new FastEvmError(ErrorCode.RLP_UNEXPECTED_TYPE, `invalid RLP: ${what} must be a byte string`, {
      field: what,
    });
  }
  return item;
}

export function rlpList(item: RlpItem | undefined, what: string): RlpItem[] {
  if (!Array.isArray(item)) {
    throw new FastEvmError(ErrorCode.RLP_UNEXPECTED_TYPE, `invalid RLP: ${what} must be a list`, {
      field: what,
    });
  }
  return item;
}

/** A byte string of exactly `length` bytes (addresses, hashes). */
export function rlpFixedBytes(item: RlpItem | undefined, length: number, what: string): Uint8Array {
  const b = rlpBytes(item, what);
  if (b.length !== length) {
    throw new FastEvmError(
      ErrorCode.RLP_UNEXPECTED_TYPE,
      `invalid RLP: ${what} must be ${length} bytes, got ${b.length}`,
      {
        field: what,
      },
    );
  }
  return b;
}

/** A canonical unsigned integer: no leading zero bytes, at most `maxBytes` bytes. */
export function rlpBigint(item: RlpItem | undefined, what: string, maxBytes = 32): bigint {
  const b = rlpBytes(item, what);
  if (b.length > 0 && b[0] === 0) {
    throw new FastEvmError(
      ErrorCode.RLP_LEADING_ZERO,
      `invalid RLP: integer ${what} has leading zero bytes`,
      { field: what },
    );
  }
  if (b.length > maxBytes) {
    throw new FastEvmError(
      ErrorCode.RLP_TOO_LARGE,
      `invalid RLP: integer ${what} exceeds ${maxBytes * 8} bits`,
      { field: what },
    );
  }
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** A canonical integer that must fit in a JS number (≤ 2^53 - 1): gas, nonces, block numbers. */
export function rlpNumber(item: RlpItem | undefined, what: string): number {
  const v = rlpBigint(item, what, 8);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FastEvmError(ErrorCode.RLP_TOO_LARGE, `invalid RLP: integer ${what} is too large`, {
      field: what,
    });
  }
  return Number(v);
}
