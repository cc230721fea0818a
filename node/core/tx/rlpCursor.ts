/**
 * A forward-only strict RLP reader for transaction decoding. Unlike `decodeRlp` it builds no item tree:
 * each field is read straight into the model (small integers without bigint, wide ones 64 bits at a time,
 * byte strings as views), which is what makes decoding cheap on the block-import hot path. Canonical
 * rules are the same as `rlp.ts`.
 */
import { ErrorCode, FastEvmError } from "../errors.ts";

function err(code: ErrorCode, what: string, message: string, offset: number): FastEvmError {
  return new FastEvmError(code, `invalid transaction: ${what}: ${message} (offset ${offset})`, {
    field: what,
    offset,
  });
}

export class RlpCursor {
  /** payload bounds of the last byte string read by `str` */
  private s = 0;
  private e = 0;
  private view: DataView | undefined;

  constructor(
    readonly data: Uint8Array,
    public pos: number,
    /** end of the innermost open list: reading past it means the list has too few fields */
    public limit: number,
  ) {}

  /** Reads a header at `pos`, returning true for a list; payload bounds land in s/e and pos moves past it. */
  private header(what: string): boolean {
    const d = this.data;
    const p = this.pos;
    if (p >= this.limit) throw err(ErrorCode.TX_FIELD_COUNT, what, "missing (too few fields)", p);
    const b = d[p]!;
    let start: number;
    let len: number;
    let list = false;
    if (b < 0x80) {
      this.s = p;
      this.e = this.pos = p + 1;
      return false;
    } else if (b < 0xb8) {
      start = p + 1;
      len = b - 0x80;
      if (len === 1 && start < this.limit && d[start]! < 0x80) {
        throw err(
          ErrorCode.RLP_NON_CANONICAL,
          what,
          "single byte below 0x80 must not have a string header",
          p,
        );
      }
    } else if (b < 0xc0 || b >= 0xf8) {
      list = b >= 0xf8;
      const ll = list ? b - 0xf7 : b - 0xb7;
      if (p + 1 + ll > this.limit)
        throw err(ErrorCode.RLP_TRUNCATED, what, "length field runs past the input", p);
      if (d[p + 1] === 0) throw err(ErrorCode.RLP_LEADING_ZERO, what, "length field has a leading zero", p);
      if (ll > 4) throw err(ErrorCode.RLP_TOO_LARGE, what, `length field of ${ll} bytes is too large`, p);
      len = 0;
      for (let i = 1; i <= ll; i++) len = len * 256 + d[p + i]!;
      if (len < 56)
        throw err(ErrorCode.RLP_NON_CANONICAL, what, `long form used for a ${len}-byte payload`, p);
      start = p + 1 + ll;
    } else {
      list = true;
      start = p + 1;
      len = b - 0xc0;
    }
    const end = start + len;
    if (end > this.limit)
      throw err(ErrorCode.RLP_TRUNCATED, what, `${len} bytes run past the enclosing item`, p);
    this.s = start;
    this.e = this.pos = end;
    return list;
  }

  private str(what: string): void {
    const at = this.pos;
    if (this.header(what))
      throw err(ErrorCode.RLP_UNEXPECTED_TYPE, what, "must be a byte string, got a list", at);
  }

  /** Opens a list; returns the enclosing limit, to hand back to `leave`. */
  enter(what: string): number {
    const at = this.pos;
    if (!this.header(what))
      throw err(ErrorCode.RLP_UNEXPECTED_TYPE, what, "must be a list, got a byte string", at);
    const outer = this.limit;
    this.limit = this.e;
    this.pos = this.s;
    return outer;
  }

  /** Closes the innermost list, rejecting leftover items (too many fields). */
  leave(outer: number, what: string): void {
    if (this.pos !== this.limit) throw err(ErrorCode.TX_FIELD_COUNT, what, "has too many fields", this.pos);
    this.limit = outer;
  }

  /** True while the innermost open list has items left. */
  more(): boolean {
    return this.pos < this.limit;
  }

  /** Offset where the next item starts (used to slice the signing payload out of the input). */
  offset(): number {
    return this.pos;
  }

  bytes(what: string): Uint8Array {
    this.str(what);
    return this.data.subarray(this.s, this.e);
  }

  fixed(length: number, what: string, code: ErrorCode = ErrorCode.RLP_UNEXPECTED_TYPE): Uint8Array {
    this.str(what);
    if (this.e - this.s !== length) {
      throw err(code, what, `must be ${length} bytes, got ${this.e - this.s}`, this.s);
    }
    return this.data.subarray(this.s, this.e);
  }

  /** A `to` field: empty string → null (contract creation), else exactly 20 bytes. */
  address(what: string): Uint8Array | null {
    this.str(what);
    const n = this.e - this.s;
    if (n === 0) return null;
    if (n !== 20) throw err(ErrorCode.TX_INVALID_ADDRESS, what, `address must be 20 bytes, got ${n}`, this.s);
    return this.data.subarray(this.s, this.e);
  }

  /** Checks an integer's canonical form and returns its byte length. */
  private intLength(what: string, maxBytes: number, overflow: ErrorCode): number {
    this.str(what);
    const n = this.e - this.s;
    if (n > 0 && this.data[this.s] === 0)
      throw err(ErrorCode.RLP_LEADING_ZERO, what, "integer has leading zero bytes", this.s);
    if (n > maxBytes) throw err(overflow, what, `integer exceeds ${maxBytes * 8} bits`, this.s);
    return n;
  }

  /** A small integer (yParity): at most 6 bytes, returned as a number. */
  number(what: string, overflow: ErrorCode): number {
    this.intLength(what, 6, overflow);
    const d = this.data;
    let v = 0;
    for (let i = this.s; i < this.e; i++) v = v * 256 + d[i]!;
    return v;
  }

  /** An unsigned integer of at most `maxBytes` bytes; `overflow` is the code for longer ones. */
  bigint(what: string, maxBytes = 32, overflow: ErrorCode = ErrorCode.RLP_TOO_LARGE): bigint {
    const n = this.intLength(what, maxBytes, overflow);
    const d = this.data;
    if (n <= 6) {
      let v = 0;
      for (let i = this.s; i < this.e; i++) v = v * 256 + d[i]!;
      return BigInt(v);
    }
    // Leading bytes that do not fill a 64-bit word, then whole words: ~2x faster than parsing hex.
    if (this.view === undefined) this.view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const view = this.view;
    let i = this.s;
    const head = n & 7;
    let v = 0n;
    if (head !== 0) {
      // At most 6 bytes go through a number (2^48 < 2^53); a 7-byte head takes its first byte apart.
      if (head === 7) v = BigInt(d[i++]!) << 48n;
      let h = 0;
      for (; i < this.s + head; i++) h = h * 256 + d[i]!;
      v |= BigInt(h);
    }
    for (; i < this.e; i += 8) v = (v << 64n) | view.getBigUint64(i);
    return v;
  }
}
