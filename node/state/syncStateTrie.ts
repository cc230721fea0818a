/**
 * The state trie on the synchronous `PatriciaTrie` (node/core/trie): the fast path for the state-root stage
 * and genesis. Same layout and roots as the @ethereumjs/mpt-based `StateTrie` (the reference), but updates run
 * in memory with synchronous LMDB reads, and `commit()` moves only the changed nodes into the node store's
 * pending set (persisted with `TrieNodeStore.commit()` or `writeTo()` inside the block's transaction).
 */
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { decodeRlp, rlpBigint } from "../core/rlp.ts";
import { PatriciaTrie } from "../core/trie/patriciaTrie.ts";
import { EMPTY_TRIE_ROOT } from "../core/trie/trieRoot.ts";
import type { TrieNodeStore } from "../storage/trieNodeStore.ts";
import { type Account, decodeAccount, encodeAccount, encodeStorageValue } from "./account.ts";

function checkLength(b: Uint8Array, n: number, what: string): void {
  if (b.length !== n)
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${what} must be ${n} bytes, got ${b.length}`);
}

/** A secure trie over a node store: what the state trie and the storage tries share. */
abstract class SyncSecureTrie {
  protected readonly trie: PatriciaTrie;
  protected store: TrieNodeStore;

  constructor(store: TrieNodeStore, root: Uint8Array = EMPTY_TRIE_ROOT) {
    this.store = store;
    this.trie = new PatriciaTrie(store.readNode, root, { secure: true });
  }

  /** Root hash, with the changed nodes moved into the store's pending set. */
  commit(): Uint8Array {
    return this.trie.commit(this.store.putNode);
  }

  /** Merkle proof of `key` (commit first). */
  proof(key: Uint8Array): Uint8Array[] {
    return this.trie.proof(key);
  }

  /** Reads and commits through `store` from now on (a trie kept between blocks). */
  useStore(store: TrieNodeStore): void {
    this.store = store;
    this.trie.setReader(store.readNode);
  }

  /** Keeps only the top `levels` levels decoded (`PatriciaTrie.prune`); commit first. */
  prune(levels: number): void {
    this.trie.prune(levels);
  }
}

/** One account's storage: 32-byte slot → value (zero = absent). */
export class SyncStorageTrie extends SyncSecureTrie {
  getSlot(slot: Uint8Array): bigint {
    checkLength(slot, 32, "storage slot");
    const v = this.trie.get(slot);
    return v === undefined ? 0n : rlpBigint(decodeRlp(v), "storage value");
  }

  putSlot(slot: Uint8Array, value: bigint): void {
    checkLength(slot, 32, "storage slot");
    if (value === 0n) this.trie.del(slot);
    else this.trie.put(slot, encodeStorageValue(value));
  }
}

/** The world state: 20-byte address → account. */
export class SyncStateTrie extends SyncSecureTrie {
  getAccount(address: Uint8Array): Account | undefined {
    checkLength(address, 20, "address");
    const v = this.trie.get(address);
    return v === undefined ? undefined : decodeAccount(v);
  }

  putAccount(address: Uint8Array, account: Account): void {
    checkLength(address, 20, "address");
    this.trie.put(address, encodeAccount(account));
  }

  deleteAccount(address: Uint8Array): void {
    checkLength(address, 20, "address");
    this.trie.del(address);
  }

  /** The storage trie at `storageRoot`, over the same node store. */
  storageTrie(storageRoot: Uint8Array = EMPTY_TRIE_ROOT): SyncStorageTrie {
    return new SyncStorageTrie(this.store, storageRoot);
  }

  /** Root hash without persisting anything. */
  rootHash(): Uint8Array {
    return this.trie.rootHash();
  }
}
