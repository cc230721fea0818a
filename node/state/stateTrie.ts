/**
 * The Merkle-Patricia secure state trie and per-account storage tries over LMDB, using @ethereumjs/mpt on a
 * `TrieNodeStore`. Keys are hashed (secure trie); values are account RLP / storage-value RLP. Proofs come from
 * the mpt proof API (for eth_getProof). New nodes stay in the store's overlay until the caller commits it.
 */
import { createMerkleProof, createMPT, type MerklePatriciaTrie } from "@ethereumjs/mpt";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { decodeRlp, rlpBigint } from "../core/rlp.ts";
import { EMPTY_TRIE_ROOT } from "../core/trie/trieRoot.ts";
import type { TrieNodeStore } from "../storage/trieNodeStore.ts";
import { type Account, decodeAccount, encodeAccount, encodeStorageValue } from "./account.ts";

async function openTrie(store: TrieNodeStore, root: Uint8Array, secure = true): Promise<MerklePatriciaTrie> {
  return createMPT({ db: store, valueEncoding: "view", useKeyHashing: secure, root });
}

function checkLength(b: Uint8Array, n: number, what: string): void {
  if (b.length !== n)
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${what} must be ${n} bytes, got ${b.length}`);
}

/**
 * A Merkle-Patricia trie over a node store, secure (keys hashed, as in state and storage tries) unless asked
 * otherwise: the layer the TrieTests fixtures exercise.
 */
export class MerkleTrie {
  protected constructor(protected readonly trie: MerklePatriciaTrie) {}

  static async open(
    store: TrieNodeStore,
    root: Uint8Array = EMPTY_TRIE_ROOT,
    secure = true,
  ): Promise<MerkleTrie> {
    return new MerkleTrie(await openTrie(store, root, secure));
  }

  root(): Uint8Array {
    return this.trie.root();
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.trie.get(key)) ?? undefined;
  }

  /** An empty value deletes the key. */
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.trie.put(key, value);
  }

  async del(key: Uint8Array): Promise<void> {
    await this.trie.del(key);
  }

  /** Merkle proof (RLP nodes from the root) for `key`, as eth_getProof returns them. */
  async proof(key: Uint8Array): Promise<Uint8Array[]> {
    return createMerkleProof(this.trie, key);
  }
}

/** One account's storage: 32-byte slot → value. */
export class StorageTrie extends MerkleTrie {
  static override async open(store: TrieNodeStore, root: Uint8Array = EMPTY_TRIE_ROOT): Promise<StorageTrie> {
    return new StorageTrie(await openTrie(store, root));
  }

  async getSlot(slot: Uint8Array): Promise<bigint> {
    checkLength(slot, 32, "storage slot");
    const v = await this.trie.get(slot);
    return v === null ? 0n : rlpBigint(decodeRlp(v), "storage value");
  }

  /** Writing zero deletes the slot. */
  async putSlot(slot: Uint8Array, value: bigint): Promise<void> {
    checkLength(slot, 32, "storage slot");
    if (value === 0n) await this.trie.del(slot);
    else await this.trie.put(slot, encodeStorageValue(value));
  }
}

/** The world state: 20-byte address → account, each with its own storage trie in the same node store. */
export class StateTrie extends MerkleTrie {
  private readonly store: TrieNodeStore;

  private constructor(trie: MerklePatriciaTrie, store: TrieNodeStore) {
    super(trie);
    this.store = store;
  }

  static override async open(store: TrieNodeStore, root: Uint8Array = EMPTY_TRIE_ROOT): Promise<StateTrie> {
    return new StateTrie(await openTrie(store, root), store);
  }

  async getAccount(address: Uint8Array): Promise<Account | undefined> {
    checkLength(address, 20, "address");
    const v = await this.trie.get(address);
    return v === null ? undefined : decodeAccount(v);
  }

  async putAccount(address: Uint8Array, account: Account): Promise<void> {
    checkLength(address, 20, "address");
    await this.trie.put(address, encodeAccount(account));
  }

  async deleteAccount(address: Uint8Array): Promise<void> {
    checkLength(address, 20, "address");
    await this.trie.del(address);
  }

  /** The storage trie at `storageRoot` (from an account), sharing this trie's node store. */
  async storageTrie(storageRoot: Uint8Array = EMPTY_TRIE_ROOT): Promise<StorageTrie> {
    return StorageTrie.open(this.store, storageRoot);
  }

  /** eth_getProof material: the account proof and one proof per requested slot. */
  async accountProof(address: Uint8Array, slots: readonly Uint8Array[] = []): Promise<AccountProof> {
    const account = await this.getAccount(address);
    const storage = await this.storageTrie(account?.storageRoot);
    const storageProofs = [];
    for (const slot of slots) {
      storageProofs.push({ slot, value: await storage.getSlot(slot), proof: await storage.proof(slot) });
    }
    return { account, proof: await this.proof(address), storageProofs };
  }
}

export interface AccountProof {
  readonly account: Account | undefined;
  readonly proof: Uint8Array[];
  readonly storageProofs: {
    readonly slot: Uint8Array;
    readonly value: bigint;
    readonly proof: Uint8Array[];
  }[];
}
