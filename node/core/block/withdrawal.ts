/** Beacon-chain withdrawals (EIP-4895): pushed into the execution state at the end of a block. */
import { ErrorCode, FastEvmError, isFastEvmError } from "../errors.ts";
import { encodeRlp, type RlpInput, type RlpItem, rlpBigint, rlpFixedBytes, rlpList } from "../rlp.ts";
import { orderedTrieRoot } from "../trie/trieRoot.ts";

export interface Withdrawal {
  readonly index: bigint;
  readonly validatorIndex: bigint;
  /** 20-byte recipient */
  readonly address: Uint8Array;
  /** in Gwei (1e9 wei), not wei */
  readonly amount: bigint;
}

export function withdrawalToRlpInput(w: Withdrawal): RlpInput {
  return [w.index, w.validatorIndex, w.address, w.amount];
}

export function encodeWithdrawal(w: Withdrawal): Uint8Array {
  return encodeRlp(withdrawalToRlpInput(w));
}

/** Withdrawal from a decoded RLP item; all integers are uint64. Errors are `BLOCK_DECODE`. */
export function withdrawalFromRlpItem(item: RlpItem): Withdrawal {
  try {
    const f = rlpList(item, "withdrawal");
    if (f.length !== 4)
      throw new FastEvmError(ErrorCode.BLOCK_DECODE, `invalid withdrawal: ${f.length} fields, expected 4`);
    return {
      index: rlpBigint(f[0], "withdrawal.index", 8),
      validatorIndex: rlpBigint(f[1], "withdrawal.validatorIndex", 8),
      address: rlpFixedBytes(f[2], 20, "withdrawal.address"),
      amount: rlpBigint(f[3], "withdrawal.amount", 8),
    };
  } catch (e) {
    if (isFastEvmError(e) && e.code !== ErrorCode.BLOCK_DECODE) {
      throw new FastEvmError(
        ErrorCode.BLOCK_DECODE,
        `invalid withdrawal: ${e.message}`,
        { cause: e.code },
        { cause: e },
      );
    }
    throw e;
  }
}

/** `withdrawalsRoot`: ordered trie over the RLP encodings. */
export function withdrawalsRoot(ws: readonly Withdrawal[]): Uint8Array {
  return orderedTrieRoot(ws.map(encodeWithdrawal));
}
