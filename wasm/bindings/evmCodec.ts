/**
 * Byte codec between the TS types in `evmTypes.ts` and the request/response layout of `wasm/include/evm.h`
 * (little-endian integers, 32-byte big-endian words).
 */
import { ErrorCode, FastEvmError } from "../../node/core/errors.ts";
import type { AccountChange, BlockEnv, EvmLog, EvmResult, EvmStatus, EvmTx } from "./evmTypes.ts";

const MASK64 = (1n << 64n) - 1n;

/**
 * Writes `v` (0 ≤ v < 2^256) as a 32-byte big-endian word at `pos`: four 64-bit stores, no intermediate
 * array (the per-call cost of a short transaction is mostly this kind of conversion).
 */
export function writeWord(view: DataView, pos: number, v: bigint): void {
  if (v < 0n || v >> 256n !== 0n)
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, "integer does not fit in 32 bytes");
  if (v <= MASK64) {
    view.setBigUint64(pos, 0n);
    view.setBigUint64(pos + 8, 0n);
    view.setBigUint64(pos + 16, 0n);
  } else {
    view.setBigUint64(pos, v >> 192n);
    view.setBigUint64(pos + 8, (v >> 128n) & MASK64);
    view.setBigUint64(pos + 16, (v >> 64n) & MASK64);
  }
  view.setBigUint64(pos + 24, v & MASK64);
}

/** Reads the 32-byte big-endian word at `pos`. */
export function readWord(view: DataView, pos: number): bigint {
  const a = view.getBigUint64(pos);
  const b = view.getBigUint64(pos + 8);
  const c = view.getBigUint64(pos + 16);
  const d = view.getBigUint64(pos + 24);
  if ((a | b | c) === 0n) return d;
  return (a << 192n) | (b << 128n) | (c << 64n) | d;
}

/** A growable byte buffer, reset and reused between requests. */
export class ByteWriter {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  pos = 0;
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  bytes(b: Uint8Array, width = b.length): void {
    if (b.length !== width)
      throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `expected ${width} bytes, got ${b.length}`);
    this.ensure(width);
    this.buf.set(b, this.pos);
    this.pos += width;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }
  word(v: bigint): void {
    this.ensure(32);
    writeWord(this.view, this.pos, v);
    this.pos += 32;
  }
}

const ZERO_ADDRESS = new Uint8Array(20);
const shared = new ByteWriter();

/** Encodes one execution request (a copy the caller owns). */
export function encodeRequest(env: BlockEnv, tx: EvmTx): Uint8Array {
  return encodeRequestInto(shared, env, tx).slice();
}

/** Encodes one execution request into `w` from its start; the view is valid until `w` is written again. */
export function encodeRequestInto(w: ByteWriter, env: BlockEnv, tx: EvmTx): Uint8Array {
  w.pos = 0;
  w.bytes(env.coinbase, 20);
  w.u64(env.number);
  w.u64(env.timestamp);
  w.u64(env.gasLimit);
  w.bytes(env.prevRandao, 32);
  w.word(env.baseFee);
  w.word(env.blobBaseFee);
  w.word(env.chainId);
  w.bytes(tx.sender, 20);
  w.u8(tx.to === null ? 0 : 1);
  w.bytes(tx.to ?? ZERO_ADDRESS, 20);
  w.word(tx.value);
  w.u64(tx.gasLimit);
  w.u64(tx.intrinsicGas);
  w.word(tx.gasPrice);
  w.word(tx.priorityFee);
  w.word(tx.upfrontCost);
  w.u32(tx.data.length);
  w.bytes(tx.data);
  w.u32(tx.accessList.length);
  for (const e of tx.accessList) {
    w.bytes(e.address, 20);
    w.u32(e.storageKeys.length);
    for (const k of e.storageKeys) w.bytes(k, 32);
  }
  w.u32(tx.blobHashes.length);
  for (const h of tx.blobHashes) w.bytes(h, 32);
  return w.buf.subarray(0, w.pos);
}

/** Decodes a response (copied out of linear memory first: the bytes are reused by the next call). */
export function decodeResponse(b: Uint8Array): EvmResult {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const take = (n: number): Uint8Array => {
    if (p + n > b.length) throw new FastEvmError(ErrorCode.EVM_INTERNAL, "truncated EVM response");
    const r = b.slice(p, p + n);
    p += n;
    return r;
  };
  const u32 = (): number => {
    const r = v.getUint32(p, true);
    p += 4;
    return r;
  };
  const u64 = (): bigint => {
    const r = v.getBigUint64(p, true);
    p += 8;
    return r;
  };
  const word = (): bigint => {
    if (p + 32 > b.length) throw new FastEvmError(ErrorCode.EVM_INTERNAL, "truncated EVM response");
    const r = readWord(v, p);
    p += 32;
    return r;
  };
  const status = u32() as EvmStatus;
  if (status === 100) throw new FastEvmError(ErrorCode.EVM_INTERNAL, "EVM module rejected the request");
  const gasUsed = u64();
  const gasRefund = u64();
  const hasCreated = take(1)[0] === 1;
  const created = take(20);
  const output = take(u32());
  const logs: EvmLog[] = [];
  for (let n = u32(); n > 0; n--) {
    const address = take(20);
    const topics: Uint8Array[] = [];
    for (let t = u32(); t > 0; t--) topics.push(take(32));
    logs.push({ address, topics, data: take(u32()) });
  }
  const changes: AccountChange[] = [];
  for (let n = u32(); n > 0; n--) {
    const address = take(20);
    const flags = u32();
    const balance = word();
    const nonce = u64();
    const codeLen = u32();
    const code = (flags & 2) !== 0 ? take(codeLen) : null;
    const storage: { key: Uint8Array; value: bigint }[] = [];
    for (let s = u32(); s > 0; s--) storage.push({ key: take(32), value: word() });
    changes.push({
      address,
      deleted: (flags & 1) !== 0,
      created: (flags & 4) !== 0,
      balance,
      nonce,
      code,
      storage,
    });
  }
  return { status, gasUsed, gasRefund, createdAddress: hasCreated ? created : null, output, logs, changes };
}
