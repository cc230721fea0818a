/**
 * Transaction decoders: EIP-2718 bytes, block-body items, and the EIP-4844 network (pool) form.
 *
 * Strict: wrong field counts, non-canonical integers, wrong-size addresses/keys/hashes, unknown type bytes,
 * a typed transaction wrapped in an RLP string header, and trailing bytes are all rejected with a
 * `FastEvmError` naming the field. Byte fields of the result are views into the input.
 */
import { ErrorCode, FastEvmError } from "../errors.ts";
import { encodeRlp, type RlpItem } from "../rlp.ts";
import { rememberEncoding } from "./cache.ts";
import { RlpCursor } from "./rlpCursor.ts";
import type { AccessList, AccessListItem, BlobSidecar, Transaction } from "./types.ts";

function decodeError(code: ErrorCode, message: string): FastEvmError {
  return new FastEvmError(code, `invalid transaction: ${message}`);
}

function readAccessList(c: RlpCursor): AccessList {
  const outer = c.enter("accessList");
  const list: AccessListItem[] = [];
  while (c.more()) {
    const item = c.enter("accessList entry");
    const address = c.fixed(20, "accessList address", ErrorCode.TX_INVALID_ADDRESS);
    const keysOuter = c.enter("accessList storageKeys");
    const storageKeys: Uint8Array[] = [];
    while (c.more()) storageKeys.push(c.fixed(32, "accessList storage key"));
    c.leave(keysOuter, "accessList storageKeys");
    c.leave(item, "accessList entry");
    list.push({ address, storageKeys });
  }
  c.leave(outer, "accessList");
  return list;
}

function readYParity(c: RlpCursor): 0 | 1 {
  const v = c.number("yParity", ErrorCode.TX_INVALID_V);
  if (v !== 0 && v !== 1) throw decodeError(ErrorCode.TX_INVALID_V, `yParity must be 0 or 1, got ${v}`);
  return v;
}

/** Legacy v: 27/28 without replay protection, chainId * 2 + 35/36 with EIP-155. Returns the chain id. */
export function chainIdFromV(v: bigint): bigint | null {
  if (v === 27n || v === 28n) return null;
  if (v < 35n) throw decodeError(ErrorCode.TX_INVALID_V, `legacy v must be 27, 28 or >= 35, got ${v}`);
  return (v - 35n) >> 1n;
}

function decodeLegacy(raw: Uint8Array): Transaction {
  const c = new RlpCursor(raw, 0, raw.length);
  c.enter("transaction");
  const fieldsStart = c.offset();
  const nonce = c.bigint("nonce", 8, ErrorCode.TX_NONCE_OVERFLOW);
  const gasPrice = c.bigint("gasPrice");
  const gasLimit = c.bigint("gasLimit", 8, ErrorCode.TX_GAS_LIMIT_OVERFLOW);
  const to = c.address("to");
  const value = c.bigint("value");
  const data = c.bytes("data");
  const sigStart = c.offset();
  const v = c.bigint("v");
  const r = c.bigint("r");
  const s = c.bigint("s");
  c.leave(raw.length, "transaction");
  if (c.offset() !== raw.length)
    throw decodeError(ErrorCode.RLP_TRAILING_BYTES, "trailing bytes after the transaction");
  const chainId = chainIdFromV(v);
  const tx: Transaction = { type: 0, nonce, gasPrice, gasLimit, to, value, data, v, r, s, chainId };
  rememberEncoding(tx, raw, fieldsStart, sigStart);
  return tx;
}

/**
 * The closing fields every typed transaction shares: yParity, r, s, then the end of the field list.
 * `sigStart` (relative to the remembered encoding) lets the signing hash reuse the input bytes.
 */
function readTypedSignature(
  c: RlpCursor,
  outer: ReturnType<RlpCursor["enter"]>,
  rawOffset: number,
): { sigStart: number; yParity: 0 | 1; r: bigint; s: bigint } {
  const sigStart = c.offset() - rawOffset;
  const yParity = readYParity(c);
  const r = c.bigint("r");
  const s = c.bigint("s");
  c.leave(outer, "transaction");
  return { sigStart, yParity, r, s };
}

/**
 * Reads a typed transaction's field list at the cursor (positioned on the list header). `raw` is the
 * canonical encoding to remember (type byte then this list).
 */
function readTyped(c: RlpCursor, type: number, raw: Uint8Array, rawOffset: number): Transaction {
  const outer = c.enter("transaction");
  const fieldsStart = c.offset() - rawOffset;
  const chainId = c.bigint("chainId");
  const nonce = c.bigint("nonce", 8, ErrorCode.TX_NONCE_OVERFLOW);
  let tx: Transaction;
  if (type === 1) {
    const gasPrice = c.bigint("gasPrice");
    const gasLimit = c.bigint("gasLimit", 8, ErrorCode.TX_GAS_LIMIT_OVERFLOW);
    const to = c.address("to");
    const value = c.bigint("value");
    const data = c.bytes("data");
    const accessList = readAccessList(c);
    const { sigStart, yParity, r, s } = readTypedSignature(c, outer, rawOffset);
    tx = { type: 1, chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, yParity, r, s };
    rememberEncoding(tx, raw, fieldsStart, sigStart);
    return tx;
  }
  const maxPriorityFeePerGas = c.bigint("maxPriorityFeePerGas");
  const maxFeePerGas = c.bigint("maxFeePerGas");
  const gasLimit = c.bigint("gasLimit", 8, ErrorCode.TX_GAS_LIMIT_OVERFLOW);
  const to = c.address("to");
  const value = c.bigint("value");
  const data = c.bytes("data");
  const accessList = readAccessList(c);
  if (type === 2) {
    const { sigStart, yParity, r, s } = readTypedSignature(c, outer, rawOffset);
    tx = {
      type: 2,
      chainId,
      nonce,
      maxPriorityFeePerGas,
      maxFeePerGas,
      gasLimit,
      to,
      value,
      data,
      accessList,
      yParity,
      r,
      s,
    };
    rememberEncoding(tx, raw, fieldsStart, sigStart);
    return tx;
  }
  if (to === null) throw decodeError(ErrorCode.TX_BLOB_CREATE, "blob transaction must have a 'to' address");
  const maxFeePerBlobGas = c.bigint("maxFeePerBlobGas");
  const hashesOuter = c.enter("blobVersionedHashes");
  const blobVersionedHashes: Uint8Array[] = [];
  while (c.more()) blobVersionedHashes.push(c.fixed(32, "blobVersionedHash"));
  c.leave(hashesOuter, "blobVersionedHashes");
  const { sigStart, yParity, r, s } = readTypedSignature(c, outer, rawOffset);
  tx = {
    type: 3,
    chainId,
    nonce,
    maxPriorityFeePerGas,
    maxFeePerGas,
    gasLimit,
    to,
    value,
    data,
    accessList,
    maxFeePerBlobGas,
    blobVersionedHashes,
    yParity,
    r,
    s,
  };
  rememberEncoding(tx, raw, fieldsStart, sigStart);
  return tx;
}

function checkTypeByte(b: number): void {
  if (b >= 0x80 && b < 0xc0) {
    throw decodeError(
      ErrorCode.TX_TYPED_WRAPPED,
      "typed transaction must not be wrapped in an RLP string header",
    );
  }
  if (b < 1 || b > 3)
    throw decodeError(ErrorCode.TX_UNSUPPORTED_TYPE, `unsupported transaction type 0x${b.toString(16)}`);
}

/** Decodes the EIP-2718 encoding (canonical/block form) of one transaction. */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  if (bytes.length === 0) throw decodeError(ErrorCode.TX_DECODE, "empty input");
  const b = bytes[0]!;
  if (b >= 0xc0) return decodeLegacy(bytes);
  checkTypeByte(b);
  const c = new RlpCursor(bytes, 1, bytes.length);
  const tx = readTyped(c, b, bytes, 0);
  if (c.offset() !== bytes.length)
    throw decodeError(ErrorCode.RLP_TRAILING_BYTES, "trailing bytes after the transaction");
  return tx;
}

/**
 * Decodes one item of a block body's transaction list: a list for legacy, a byte string holding the
 * EIP-2718 encoding for typed transactions (a legacy encoding inside a byte string is rejected).
 */
export function decodeTransactionFromBodyItem(item: RlpItem): Transaction {
  if (Array.isArray(item)) return decodeLegacy(encodeRlp(item));
  if (item.length > 0 && item[0]! >= 0xc0) {
    throw decodeError(
      ErrorCode.TX_DECODE,
      "legacy transaction in a block body must be an RLP list, not a string",
    );
  }
  return decodeTransaction(item);
}

const BLOB_SIZE = 131072;

/**
 * Decodes a transaction as gossiped / submitted to the pool: like `decodeTransaction`, but a blob
 * transaction may come in the EIP-4844 network wrapper `0x03 || rlp([tx, blobs, commitments, proofs])`.
 * Checks sizes and counts of the sidecar; the commitment↔hash binding is checked by
 * `validateBlobSidecar` (blobSidecar.ts). KZG proofs are not verified here.
 */
export function decodePooledTransaction(bytes: Uint8Array): { tx: Transaction; sidecar: BlobSidecar | null } {
  if (bytes.length < 2 || bytes[0] !== 3 || bytes[1]! < 0xc0)
    return { tx: decodeTransaction(bytes), sidecar: null };
  const c = new RlpCursor(bytes, 1, bytes.length);
  const outer = c.enter("blob network wrapper");
  if (!c.more() || bytes[c.offset()]! < 0xc0) return { tx: decodeTransaction(bytes), sidecar: null };
  // Network form: the canonical encoding is the type byte followed by the inner list, copied out once.
  const innerStart = c.offset();
  const probe = new RlpCursor(bytes, innerStart, c.limit);
  probe.enter("transaction");
  const innerEnd = probe.limit;
  const raw = new Uint8Array(innerEnd - innerStart + 1);
  raw[0] = 3;
  raw.set(bytes.subarray(innerStart, innerEnd), 1);
  const tx = readTyped(new RlpCursor(raw, 1, raw.length), 3, raw, 0);
  c.pos = innerEnd;
  const blobs = readBlobList(c, "blobs", BLOB_SIZE);
  const commitments = readBlobList(c, "commitments", 48);
  const proofs = readBlobList(c, "proofs", 48);
  c.leave(outer, "blob network wrapper");
  if (c.offset() !== bytes.length)
    throw decodeError(ErrorCode.RLP_TRAILING_BYTES, "trailing bytes after the transaction");
  const n = tx.type === 3 ? tx.blobVersionedHashes.length : 0;
  if (blobs.length !== n || commitments.length !== n || proofs.length !== n) {
    throw decodeError(
      ErrorCode.TX_BLOB_SIDECAR,
      `sidecar has ${blobs.length} blobs, ${commitments.length} commitments, ${proofs.length} proofs for ${n} hashes`,
    );
  }
  return { tx, sidecar: { blobs, commitments, proofs } };
}

function readBlobList(c: RlpCursor, what: string, size: number): Uint8Array[] {
  const outer = c.enter(what);
  const out: Uint8Array[] = [];
  while (c.more()) out.push(c.fixed(size, what, ErrorCode.TX_BLOB_SIDECAR));
  c.leave(outer, what);
  return out;
}
