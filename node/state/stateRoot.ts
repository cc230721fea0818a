/**
 * Whole-state roots computed in memory from a full account set (genesis, state-test pre/post states).
 * Synchronous and database-free; the LMDB-backed trie (`stateTrie.ts`) must agree with it.
 */
import { keccak256 } from "../core/hash.ts";
import { hexToBytes } from "../core/hex.ts";
import { secureTrieRoot } from "../core/trie/trieRoot.ts";
import { type Account, EMPTY_CODE_HASH, encodeAccount, encodeStorageValue } from "./account.ts";

/** An account with its code and storage spelled out (the shape of a genesis alloc entry). */
export interface FullAccount {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly code: Uint8Array;
  /** 32-byte slot (0x hex) → value; zero values are ignored */
  readonly storage: ReadonlyMap<string, bigint>;
}

/** Storage-trie root of one account's slots. */
export function computeStorageRoot(storage: ReadonlyMap<string, bigint>): Uint8Array {
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [slot, value] of storage) {
    if (value !== 0n) pairs.push([hexToBytes(slot, 32), encodeStorageValue(value)]);
  }
  return secureTrieRoot(pairs);
}

/** The trie account (roots and hashes) of a full account. */
export function toTrieAccount(a: FullAccount): Account {
  return {
    nonce: a.nonce,
    balance: a.balance,
    storageRoot: computeStorageRoot(a.storage),
    codeHash: a.code.length === 0 ? EMPTY_CODE_HASH : keccak256(a.code),
  };
}

/** State root of a complete state given as address (20-byte 0x hex) → account. */
export function computeStateRoot(accounts: ReadonlyMap<string, FullAccount>): Uint8Array {
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [address, a] of accounts) pairs.push([hexToBytes(address, 20), encodeAccount(toTrieAccount(a))]);
  return secureTrieRoot(pairs);
}
