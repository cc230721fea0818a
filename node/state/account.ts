/** Ethereum accounts as stored in the state trie: `rlp([nonce, balance, storageRoot, codeHash])`. */
import { bigintToBytes } from "../core/bytes.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../core/errors.ts";
import { KECCAK256_EMPTY } from "../core/hash.ts";
import { decodeRlp, encodeRlp, rlpBigint, rlpFixedBytes, rlpList } from "../core/rlp.ts";
import { EMPTY_TRIE_ROOT } from "../core/trie/trieRoot.ts";

export interface Account {
  readonly nonce: bigint;
  readonly balance: bigint;
  /** root of the account's storage trie */
  readonly storageRoot: Uint8Array;
  /** keccak256 of the code */
  readonly codeHash: Uint8Array;
}

/** keccak256 of empty code. */
export const EMPTY_CODE_HASH: Uint8Array = KECCAK256_EMPTY;

export const EMPTY_ACCOUNT: Account = {
  nonce: 0n,
  balance: 0n,
  storageRoot: EMPTY_TRIE_ROOT,
  codeHash: EMPTY_CODE_HASH,
};

export function encodeAccount(a: Account): Uint8Array {
  return encodeRlp([a.nonce, a.balance, a.storageRoot, a.codeHash]);
}

/** Strict decode of a state-trie leaf. Errors are `TRIE_INVALID`. */
export function decodeAccount(data: Uint8Array): Account {
  try {
    const f = rlpList(decodeRlp(data), "account");
    if (f.length !== 4)
      throw new FastEvmError(ErrorCode.TRIE_INVALID, `invalid account: ${f.length} fields, expected 4`);
    return {
      nonce: rlpBigint(f[0], "account.nonce", 8),
      balance: rlpBigint(f[1], "account.balance"),
      storageRoot: rlpFixedBytes(f[2], 32, "account.storageRoot"),
      codeHash: rlpFixedBytes(f[3], 32, "account.codeHash"),
    };
  } catch (e) {
    if (isFastEvmError(e) && e.code !== ErrorCode.TRIE_INVALID) {
      throw new FastEvmError(
        ErrorCode.TRIE_INVALID,
        `invalid account: ${e.message}`,
        { cause: e.code },
        { cause: e },
      );
    }
    throw e;
  }
}

/** The storage-trie leaf of a slot value: rlp of the minimal big-endian bytes (zero means "delete"). */
export function encodeStorageValue(v: bigint): Uint8Array {
  return encodeRlp(bigintToBytes(v));
}
