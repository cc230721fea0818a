/**
 * Transaction hash (keccak256 of the EIP-2718 encoding) and signing hash (keccak256 of the unsigned
 * payload). Both are memoized per transaction. A decoded transaction hashes its input bytes directly and
 * builds its signing payload by slicing the input (the unsigned fields are a contiguous prefix of the list).
 */
import { keccak256 } from "../hash.ts";
import { encodeRlp } from "../rlp.ts";
import { memoOf } from "./cache.ts";
import { encodeSigningPayload, encodeTransaction } from "./encode.ts";
import type { Transaction } from "./types.ts";

export function transactionHash(tx: Transaction): Uint8Array {
  const memo = memoOf(tx);
  if (memo.hash === undefined) memo.hash = keccak256(memo.raw ?? encodeTransaction(tx));
  return memo.hash;
}

function listHeader(out: Uint8Array, pos: number, payload: number): number {
  if (payload < 56) {
    out[pos] = 0xc0 + payload;
    return pos + 1;
  }
  let ll = 0;
  for (let n = payload; n > 0; n = Math.floor(n / 256)) ll++;
  out[pos] = 0xf7 + ll;
  for (let i = ll, n = payload; i >= 1; i--, n = Math.floor(n / 256)) out[pos + i] = n & 0xff;
  return pos + 1 + ll;
}

/** Signing payload rebuilt from a decoded encoding: [type] || list header || unsigned fields [|| chainId, 0, 0]. */
function payloadFromRaw(tx: Transaction, raw: Uint8Array, fieldsStart: number, sigStart: number): Uint8Array {
  const fields = raw.subarray(fieldsStart, sigStart);
  const suffix = tx.type === 0 && tx.chainId !== null ? encodeRlp([tx.chainId, 0, 0]).subarray(1) : null;
  const payload = fields.length + (suffix?.length ?? 0);
  const out = new Uint8Array(1 + 5 + payload);
  let pos = 0;
  if (tx.type !== 0) out[pos++] = tx.type;
  pos = listHeader(out, pos, payload);
  out.set(fields, pos);
  pos += fields.length;
  if (suffix !== null) {
    out.set(suffix, pos);
    pos += suffix.length;
  }
  return out.subarray(0, pos);
}

/** keccak256 of what the sender signed (the message hash given to ecrecover). */
export function signingHash(tx: Transaction): Uint8Array {
  const memo = memoOf(tx);
  if (memo.signingHash === undefined) {
    const payload =
      memo.raw !== undefined && memo.fieldsStart !== undefined && memo.sigStart !== undefined
        ? payloadFromRaw(tx, memo.raw, memo.fieldsStart, memo.sigStart)
        : encodeSigningPayload(tx);
    memo.signingHash = keccak256(payload);
  }
  return memo.signingHash;
}
