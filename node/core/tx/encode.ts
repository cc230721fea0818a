/**
 * Transaction encoders: EIP-2718 bytes (legacy = RLP list, typed = type byte || RLP list), the unsigned
 * payloads that are signed, and the block-body item form.
 */
import { decodeRlp, encodeRlp, type RlpInput, type RlpItem } from "../rlp.ts";
import { memoOf } from "./cache.ts";
import type { AccessList, Transaction } from "./types.ts";

const EMPTY = new Uint8Array(0);

function accessListInput(list: AccessList): RlpInput[] {
  return list.map((e) => [e.address, e.storageKeys]);
}

/** The fields before the signature, in wire order. */
export function unsignedFields(tx: Transaction): RlpInput[] {
  const to = tx.to ?? EMPTY;
  switch (tx.type) {
    case 0:
      return [tx.nonce, tx.gasPrice, tx.gasLimit, to, tx.value, tx.data];
    case 1:
      return [
        tx.chainId,
        tx.nonce,
        tx.gasPrice,
        tx.gasLimit,
        to,
        tx.value,
        tx.data,
        accessListInput(tx.accessList),
      ];
    case 2:
    case 3: {
      // EIP-4844 is the EIP-1559 list with the two blob fields appended.
      const fields: RlpInput[] = [
        tx.chainId,
        tx.nonce,
        tx.maxPriorityFeePerGas,
        tx.maxFeePerGas,
        tx.gasLimit,
        to,
        tx.value,
        tx.data,
        accessListInput(tx.accessList),
      ];
      if (tx.type === 3) fields.push(tx.maxFeePerBlobGas, tx.blobVersionedHashes);
      return fields;
    }
  }
}

function withTypeByte(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return out;
}

/** The EIP-2718 encoding (what is hashed, gossiped and sent to eth_sendRawTransaction). */
export function encodeTransaction(tx: Transaction): Uint8Array {
  const memo = memoOf(tx);
  if (memo.raw !== undefined) return memo.raw;
  const fields = unsignedFields(tx);
  let raw: Uint8Array;
  if (tx.type === 0) {
    fields.push(tx.v, tx.r, tx.s);
    raw = encodeRlp(fields);
  } else {
    fields.push(tx.yParity, tx.r, tx.s);
    raw = withTypeByte(tx.type, encodeRlp(fields));
  }
  memo.raw = raw;
  return raw;
}

/**
 * The payload whose keccak256 is signed: legacy pre-EIP-155 signs the 6 fields, EIP-155 appends
 * (chainId, 0, 0), typed transactions sign type || rlp(fields without signature).
 */
export function encodeSigningPayload(tx: Transaction): Uint8Array {
  const fields = unsignedFields(tx);
  if (tx.type !== 0) return withTypeByte(tx.type, encodeRlp(fields));
  if (tx.chainId !== null) fields.push(tx.chainId, 0, 0);
  return encodeRlp(fields);
}

/** Block-body item: legacy transactions are an RLP list, typed ones a byte string holding their encoding. */
export function transactionToBodyItem(tx: Transaction): RlpItem {
  const raw = encodeTransaction(tx);
  return tx.type === 0 ? decodeRlp(raw) : raw;
}

/** The RLP encoding of the body item, ready to be concatenated into a body's transaction list. */
export function encodeTransactionForBody(tx: Transaction): Uint8Array {
  const raw = encodeTransaction(tx);
  return tx.type === 0 ? raw : encodeRlp(raw);
}
