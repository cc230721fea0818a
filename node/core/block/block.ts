/**
 * Blocks and bodies with their RLP codec. Transactions stay opaque here: each is its EIP-2718 encoding
 * (a legacy transaction is its RLP list; a typed one is `type || payload`). In a block's RLP the legacy ones
 * appear as list items and the typed ones as byte strings; decoding them is `node/core/tx/`'s job.
 */
import { concatBytes } from "../bytes.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../errors.ts";
import { keccak256 } from "../hash.ts";
import { decodeRlp, encodeRlp, encodeRlpListPayload, type RlpItem, rlpList } from "../rlp.ts";
import { orderedTrieRoot } from "../trie/trieRoot.ts";
import { type BlockHeader, encodeHeader, headerFromRlpItem } from "./header.ts";
import { encodeWithdrawal, type Withdrawal, withdrawalFromRlpItem } from "./withdrawal.ts";

export interface BlockBody {
  /** EIP-2718 encodings, in block order */
  readonly transactions: readonly Uint8Array[];
  /** always empty after the merge */
  readonly ommers: readonly BlockHeader[];
  /** present from Shanghai on (with `header.withdrawalsRoot`) */
  readonly withdrawals?: readonly Withdrawal[];
}

export interface Block extends BlockBody {
  readonly header: BlockHeader;
}

function blockError(message: string, cause?: unknown): FastEvmError {
  const meta = isFastEvmError(cause) ? { cause: cause.code } : undefined;
  return new FastEvmError(ErrorCode.BLOCK_DECODE, `invalid block: ${message}`, meta, { cause });
}

/** RLP item form of one transaction inside a block: legacy (starts with a list header) raw, typed as a string. */
function encodeTxItem(tx: Uint8Array): Uint8Array {
  if (tx.length === 0) throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, "empty transaction encoding");
  return tx[0]! >= 0xc0 ? tx : encodeRlp(tx);
}

/** EIP-2718 bytes of one transaction item decoded from a block. */
function txFromRlpItem(item: RlpItem, i: number): Uint8Array {
  if (Array.isArray(item)) return encodeRlp(item);
  // A typed transaction: its first byte is the type, which EIP-2718 restricts to [0, 0x7f].
  if (item.length === 0 || item[0]! > 0x7f)
    throw blockError(`transaction ${i} is neither a list nor a typed envelope`);
  return item;
}

function listOf(parts: readonly Uint8Array[]): Uint8Array {
  return encodeRlpListPayload(concatBytes(...parts));
}

/** The body's fields as RLP items, each already encoded: [transactions, ommers, withdrawals?]. */
function bodyParts(b: BlockBody): Uint8Array[] {
  const parts = [listOf(b.transactions.map(encodeTxItem)), listOf(b.ommers.map(encodeHeader))];
  if (b.withdrawals !== undefined) parts.push(listOf(b.withdrawals.map(encodeWithdrawal)));
  return parts;
}

export function encodeBody(b: BlockBody): Uint8Array {
  return listOf(bodyParts(b));
}

export function encodeBlock(b: Block): Uint8Array {
  return listOf([encodeHeader(b.header), ...bodyParts(b)]);
}

function bodyFromItems(
  txs: RlpItem | undefined,
  ommers: RlpItem | undefined,
  ws: RlpItem | undefined,
): BlockBody {
  const transactions = rlpList(txs, "transactions").map(txFromRlpItem);
  const ommerHeaders = rlpList(ommers, "ommers").map(headerFromRlpItem);
  if (ws === undefined) return { transactions, ommers: ommerHeaders };
  return {
    transactions,
    ommers: ommerHeaders,
    withdrawals: rlpList(ws, "withdrawals").map(withdrawalFromRlpItem),
  };
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isFastEvmError(e, ErrorCode.BLOCK_DECODE)) throw e;
    if (isFastEvmError(e)) throw blockError(e.message, e);
    throw e;
  }
}

/** Strict decode of a block; the withdrawals list is present iff the header has `withdrawalsRoot`. */
export function decodeBlock(data: Uint8Array): Block {
  return wrap(() => {
    const f = rlpList(decodeRlp(data), "block");
    if (f.length !== 3 && f.length !== 4) throw blockError(`${f.length} fields, expected 3 or 4`);
    const header = headerFromRlpItem(f[0]!);
    if ((header.withdrawalsRoot !== undefined) !== (f.length === 4)) {
      throw blockError("withdrawals list must be present exactly when the header has withdrawalsRoot");
    }
    return { header, ...bodyFromItems(f[1], f[2], f[3]) };
  });
}

export function decodeBody(data: Uint8Array): BlockBody {
  return wrap(() => {
    const f = rlpList(decodeRlp(data), "body");
    if (f.length !== 2 && f.length !== 3) throw blockError(`body has ${f.length} fields, expected 2 or 3`);
    return bodyFromItems(f[0], f[1], f[2]);
  });
}

/** `transactionsRoot`: ordered trie over the EIP-2718 encodings. */
export function transactionsRoot(txs: readonly Uint8Array[]): Uint8Array {
  return orderedTrieRoot(txs);
}

/** `ommersHash` of a list of ommer headers. */
export function ommersHash(ommers: readonly BlockHeader[]): Uint8Array {
  return keccak256(listOf(ommers.map(encodeHeader)));
}
