/**
 * Transaction receipts (post-Byzantium form, EIP-658 status) and their EIP-2718 typed encoding:
 * legacy receipts are `rlp([status, cumulativeGasUsed, logsBloom, logs])`, typed ones prefix the tx type byte.
 * The receipts root is the ordered trie over these encodings.
 */
import { ErrorCode, FastEvmError, isFastEvmError } from "../errors.ts";
import {
  decodeRlp,
  encodeRlp,
  encodeRlpPrefixed,
  rlpBigint,
  rlpBytes,
  rlpFixedBytes,
  rlpList,
} from "../rlp.ts";
import { orderedTrieRoot } from "../trie/trieRoot.ts";
import { BLOOM_BYTES, logsBloom } from "./bloom.ts";
import { type Log, logFromRlpItem, logToRlpInput } from "./log.ts";

export interface Receipt {
  /** transaction type: 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844 … */
  readonly type: number;
  /** 1 success, 0 failure */
  readonly status: 0 | 1;
  /** gas used by this and all earlier transactions of the block */
  readonly cumulativeGasUsed: bigint;
  readonly logsBloom: Uint8Array;
  readonly logs: readonly Log[];
}

/** Builds a receipt, computing its bloom from the logs. */
export function createReceipt(
  type: number,
  status: 0 | 1,
  cumulativeGasUsed: bigint,
  logs: readonly Log[],
): Receipt {
  return { type, status, cumulativeGasUsed, logsBloom: logsBloom(logs), logs };
}

export function encodeReceipt(r: Receipt): Uint8Array {
  if (!Number.isInteger(r.type) || r.type < 0 || r.type > 0x7f) {
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `invalid receipt type ${r.type}`);
  }
  const fields = [r.status, r.cumulativeGasUsed, r.logsBloom, r.logs.map(logToRlpInput)];
  return encodeRlpPrefixed(r.type === 0 ? -1 : r.type, fields);
}

/** Strict decode of an EIP-2718 receipt encoding. Errors are `RECEIPT_DECODE`. */
export function decodeReceipt(data: Uint8Array): Receipt {
  try {
    if (data.length === 0) throw new FastEvmError(ErrorCode.RECEIPT_DECODE, "invalid receipt: empty");
    const first = data[0]!;
    const type = first >= 0xc0 ? 0 : first;
    if (type === 0 && first < 0xc0)
      throw new FastEvmError(ErrorCode.RECEIPT_DECODE, "invalid receipt: type 0 prefix");
    if (type > 0x7f)
      throw new FastEvmError(ErrorCode.RECEIPT_DECODE, `invalid receipt: type byte 0x${type.toString(16)}`);
    const f = rlpList(decodeRlp(type === 0 ? data : data.subarray(1)), "receipt");
    if (f.length !== 4)
      throw new FastEvmError(ErrorCode.RECEIPT_DECODE, `invalid receipt: ${f.length} fields, expected 4`);
    const statusBytes = rlpBytes(f[0], "receipt.status");
    if (statusBytes.length === 32) {
      throw new FastEvmError(
        ErrorCode.RECEIPT_DECODE,
        "invalid receipt: pre-Byzantium state-root receipts are not supported",
      );
    }
    const status = rlpBigint(f[0], "receipt.status", 1);
    if (status > 1n) throw new FastEvmError(ErrorCode.RECEIPT_DECODE, `invalid receipt: status ${status}`);
    return {
      type,
      status: status === 1n ? 1 : 0,
      cumulativeGasUsed: rlpBigint(f[1], "receipt.cumulativeGasUsed", 8),
      logsBloom: rlpFixedBytes(f[2], BLOOM_BYTES, "receipt.logsBloom"),
      logs: rlpList(f[3], "receipt.logs").map(logFromRlpItem),
    };
  } catch (e) {
    if (isFastEvmError(e) && e.code !== ErrorCode.RECEIPT_DECODE) {
      throw new FastEvmError(
        ErrorCode.RECEIPT_DECODE,
        `invalid receipt: ${e.message}`,
        { cause: e.code },
        { cause: e },
      );
    }
    throw e;
  }
}

/** `receiptsRoot` of a block. */
export function receiptsRoot(receipts: readonly Receipt[]): Uint8Array {
  return orderedTrieRoot(receipts.map(encodeReceipt));
}

/** A block's receipts as stored (the `receipts` table): an RLP list of their EIP-2718 encodings as byte strings. */
export function encodeBlockReceipts(receipts: readonly Receipt[]): Uint8Array {
  return encodeRlp(receipts.map(encodeReceipt));
}

/**
 * A block's receipts root and their stored encoding (`encodeBlockReceipts`) from one encoding of each
 * receipt: the execute worker makes both, so the thread that stores the block encodes nothing again.
 */
export function receiptsRootAndBlob(receipts: readonly Receipt[]): { root: Uint8Array; stored: Uint8Array } {
  const encoded = receipts.map(encodeReceipt);
  return { root: orderedTrieRoot(encoded), stored: encodeRlp(encoded) };
}

export function decodeBlockReceipts(data: Uint8Array): Receipt[] {
  let items: Uint8Array[];
  try {
    items = rlpList(decodeRlp(data), "receipts").map((r, i) => rlpBytes(r, `receipts[${i}]`));
  } catch (e) {
    if (isFastEvmError(e))
      throw new FastEvmError(
        ErrorCode.RECEIPT_DECODE,
        `invalid receipts list: ${e.message}`,
        { cause: e.code },
        { cause: e },
      );
    throw e;
  }
  return items.map(decodeReceipt);
}
