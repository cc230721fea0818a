/**
 * Byte codec between the TS types in `evmTypes.ts` and the request/response layout of `wasm/include/evm.h`
 * (little-endian integers, 32-byte big-endian words).
 */
import { ErrorCode, FastEvmError } from "../../node/core/errors.ts";
import type {
  AccountChange,
  BlockEnv,
  BlockRun,
  BlockRunTx,
  EvmLog,
  EvmResult,
  EvmStatus,
  EvmTx,
  TxRecord,
} from "./evmTypes.ts";

const MASK64 = (1n << 64n) - 1n;
const MAX256 = (1n << 256n) - 1n;

/**
 * Writes `v` (0 ≤ v < 2^256) as a 32-byte big-endian word at `pos`: four 64-bit stores, no intermediate
 * array (the per-call cost of a short transaction is mostly this kind of conversion).
 */
export function writeWord(view: DataView, pos: number, v: bigint): void {
  if (v < 0n || v > MAX256)
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

function writeEnv(w: ByteWriter, env: BlockEnv): void {
  w.bytes(env.coinbase, 20);
  w.u64(env.number);
  w.u64(env.timestamp);
  w.u64(env.gasLimit);
  w.bytes(env.prevRandao, 32);
  w.word(env.baseFee);
  w.word(env.blobBaseFee);
  w.word(env.chainId);
}

/** Encodes one execution request into `w` from its start; the view is valid until `w` is written again. */
export function encodeRequestInto(w: ByteWriter, env: BlockEnv, tx: EvmTx): Uint8Array {
  w.pos = 0;
  writeEnv(w, env);
  writeTx(w, tx);
  return w.buf.subarray(0, w.pos);
}

const U64_MAX = (1n << 64n) - 1n;

/** Encodes a block request (`fastevm_execute_block`) into `w` from its start. */
export function encodeBlockRequestInto(
  w: ByteWriter,
  env: BlockEnv,
  run: { readonly build: boolean; readonly maxBlobGas: bigint },
  txs: readonly BlockRunTx[],
): Uint8Array {
  w.pos = 0;
  writeEnv(w, env);
  w.u8(run.build ? 1 : 0);
  w.u64(run.maxBlobGas);
  w.u32(txs.length);
  for (const t of txs) {
    w.u32(t.precheck ? 1 : 0);
    w.u32(t.feeCheck ? 1 : 0);
    w.u64(t.blobGas);
    // a nonce or gas limit beyond 64 bits fails the stateless rules first: its value is never read
    w.u64(t.nonce > U64_MAX ? 0n : t.nonce);
    const overflow = t.maxCost > MAX256;
    w.word(overflow ? 0n : t.maxCost);
    w.u8(overflow ? 1 : 0);
    writeTx(w, t.tx);
  }
  return w.buf.subarray(0, w.pos);
}

function writeTx(w: ByteWriter, tx: EvmTx): void {
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
}

/** Sequential reads over a response; a class rather than per-call closures, so decoding allocates no functions. */
class ByteReader {
  p = 0;
  private readonly v: DataView;
  constructor(private readonly b: Uint8Array) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): void {
    if (this.p + n > this.b.length) throw new FastEvmError(ErrorCode.EVM_INTERNAL, "truncated EVM response");
  }
  take(n: number): Uint8Array {
    this.need(n);
    const r = this.b.slice(this.p, this.p + n);
    this.p += n;
    return r;
  }
  u8(): number {
    this.need(1);
    return this.b[this.p++]!;
  }
  u32(): number {
    this.need(4);
    const r = this.v.getUint32(this.p, true);
    this.p += 4;
    return r;
  }
  u64(): bigint {
    this.need(8);
    const r = this.v.getBigUint64(this.p, true);
    this.p += 8;
    return r;
  }
  word(): bigint {
    this.need(32);
    const r = readWord(this.v, this.p);
    this.p += 32;
    return r;
  }
}

function readLogs(r: ByteReader): EvmLog[] {
  const logs: EvmLog[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const address = r.take(20);
    const topics: Uint8Array[] = [];
    for (let t = r.u32(); t > 0; t--) topics.push(r.take(32));
    logs.push({ address, topics, data: r.take(r.u32()) });
  }
  return logs;
}

function readChanges(r: ByteReader): AccountChange[] {
  const changes: AccountChange[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const address = r.take(20);
    const flags = r.u32();
    const balance = r.word();
    const nonce = r.u64();
    const codeLen = r.u32();
    const code = (flags & 2) !== 0 ? r.take(codeLen) : null;
    const storage: { key: Uint8Array; value: bigint }[] = [];
    for (let s = r.u32(); s > 0; s--) storage.push({ key: r.take(32), value: r.word() });
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
  return changes;
}

/** Decodes a response (copied out of linear memory first: the bytes are reused by the next call). */
export function decodeResponse(b: Uint8Array): EvmResult {
  const r = new ByteReader(b);
  const status = r.u32() as EvmStatus;
  if (status === 100) throw new FastEvmError(ErrorCode.EVM_INTERNAL, "EVM module rejected the request");
  const gasUsed = r.u64();
  const gasRefund = r.u64();
  const hasCreated = r.u8() === 1;
  const created = r.take(20);
  const output = r.take(r.u32());
  const logs = readLogs(r);
  const changes = readChanges(r);
  return { status, gasUsed, gasRefund, createdAddress: hasCreated ? created : null, output, logs, changes };
}

/** Decodes a block response (layout in evm.h). */
export function decodeBlockResponse(b: Uint8Array): BlockRun {
  const r = new ByteReader(b);
  if (r.u32() !== 0) throw new FastEvmError(ErrorCode.EVM_INTERNAL, "EVM module rejected the block request");
  const records: TxRecord[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const check = r.u32() as TxRecord["check"];
    if (check === 0) {
      const status = r.u32() as EvmStatus;
      const gasUsed = r.u64();
      records.push({ check, status, gasUsed, logs: readLogs(r), detail: 0n });
    } else records.push({ check, status: 0, gasUsed: 0n, logs: [], detail: r.word() });
  }
  const gasUsed = r.u64();
  const blobGasUsed = r.u64();
  return { records, gasUsed, blobGasUsed, changes: readChanges(r) };
}
