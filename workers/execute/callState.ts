/**
 * The state an RPC task reads, on the worker: the flat tables when the requested block is still the head,
 * else the state trie at the block's root (trie nodes are content-addressed and never pruned, so every
 * executed block's state is readable). `CallHost` puts geth's state overrides on top and, for
 * eth_createAccessList, records every account and slot the EVM asked for.
 */
import { equalBytes } from "../../node/core/bytes.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { EMPTY_TRIE_ROOT } from "../../node/core/trie/trieRoot.ts";
import type { AccountOverride, StateRef } from "../../node/core/wire/rpcExec.ts";
import { type Account, EMPTY_CODE_HASH } from "../../node/state/account.ts";
import { SyncStateTrie, type SyncStorageTrie } from "../../node/state/syncStateTrie.ts";
import { metaKey } from "../../node/storage/keys.ts";
import { readBytes, type Storage, type Table } from "../../node/storage/storage.ts";
import { META_KEYS } from "../../node/storage/tables.ts";
import { TrieNodeStore } from "../../node/storage/trieNodeStore.ts";
import type { EvmHost, HostAccount } from "../../wasm/bindings/evmTypes.ts";
import { ParentState } from "./blockState.ts";

/** Reads of one block's state (ParentState over the flat tables is one). */
export interface StateReader {
  account(address: Uint8Array): Account | undefined;
  storage(address: Uint8Array, slot: Uint8Array): bigint;
  code(codeHash: Uint8Array): Uint8Array;
}

function codeOf(code: Table, codeHash: Uint8Array): Uint8Array {
  if (equalBytes(codeHash, EMPTY_CODE_HASH)) return new Uint8Array(0);
  return readBytes(code, codeHash) ?? new Uint8Array(0);
}

/** A block's state read from the state trie at its root (historical blocks, proofs). */
export class TrieStateReader implements StateReader {
  readonly #trie: SyncStateTrie;
  readonly #code: Table;
  readonly #accounts = new Map<string, Account | null>();
  readonly #storageTries = new Map<string, SyncStorageTrie>();

  constructor(tables: { readonly trieNodes: Table; readonly code: Table }, stateRoot: Uint8Array) {
    this.#trie = new SyncStateTrie(new TrieNodeStore(tables.trieNodes), stateRoot);
    this.#code = tables.code;
  }

  account(address: Uint8Array): Account | undefined {
    const k = bytesToHex(address);
    let a = this.#accounts.get(k);
    if (a === undefined) {
      a = this.#trie.getAccount(address) ?? null;
      this.#accounts.set(k, a);
    }
    return a ?? undefined;
  }

  #storageTrie(storageRoot: Uint8Array): SyncStorageTrie {
    const k = bytesToHex(storageRoot);
    let t = this.#storageTries.get(k);
    if (t === undefined) {
      t = this.#trie.storageTrie(storageRoot);
      this.#storageTries.set(k, t);
    }
    return t;
  }

  storage(address: Uint8Array, slot: Uint8Array): bigint {
    const a = this.account(address);
    if (a === undefined || equalBytes(a.storageRoot, EMPTY_TRIE_ROOT)) return 0n;
    return this.#storageTrie(a.storageRoot).getSlot(slot);
  }

  code(codeHash: Uint8Array): Uint8Array {
    return codeOf(this.#code, codeHash);
  }

  accountProof(address: Uint8Array): Uint8Array[] {
    return this.#trie.proof(address);
  }

  /** Proof of `slot` in the account's storage trie (empty when it has no storage). */
  storageProof(address: Uint8Array, slot: Uint8Array): Uint8Array[] {
    const a = this.account(address);
    if (a === undefined || equalBytes(a.storageRoot, EMPTY_TRIE_ROOT)) return [];
    // the storage trie is `secure`: it hashes the slot itself
    return this.#storageTrie(a.storageRoot).proof(slot);
  }
}

const NO_OVERLAY = { accounts: [], storage: [] } as const;

/** True when `at` is still the head in this read snapshot (then the flat tables hold its state). */
export function isHead(storage: Storage, at: StateRef): boolean {
  const head = readBytes(storage.tables.meta, metaKey(META_KEYS.headHash));
  return head !== undefined && equalBytes(head, at.blockHash);
}

/** The reader of `at`'s state: flat when it is the head, the trie at its state root otherwise. */
export function stateReader(storage: Storage, at: StateRef): StateReader {
  const t = storage.tables;
  return isHead(storage, at) ? new ParentState(t, NO_OVERLAY) : new TrieStateReader(t, at.stateRoot);
}

interface Overridden {
  readonly balance?: bigint;
  readonly nonce?: bigint;
  readonly code?: Uint8Array;
  readonly codeHash?: Uint8Array;
  /** `state`: every slot not listed reads zero */
  readonly replaceStorage: boolean;
  readonly slots: Map<string, bigint>;
}

/** What a recorded run asked the host for: addresses, and slots per address (hex keys, original bytes). */
export interface Touched {
  readonly accounts: Map<string, Uint8Array>;
  readonly slots: Map<string, { readonly address: Uint8Array; readonly keys: Map<string, Uint8Array> }>;
}

/** The EVM host of a call: the block's state under the call's state overrides. */
export class CallHost implements EvmHost {
  readonly #over = new Map<string, Overridden>();
  readonly #codeCache = new Map<string, Uint8Array>();
  /** set by eth_createAccessList's runs */
  touched: Touched | undefined;

  constructor(
    private readonly base: StateReader,
    overrides: readonly AccountOverride[],
    private readonly hashOf: (n: bigint) => Uint8Array,
  ) {
    for (const o of overrides) {
      const slots = new Map<string, bigint>();
      for (const [k, v] of o.state ?? o.stateDiff ?? []) slots.set(bytesToHex(k), v);
      this.#over.set(bytesToHex(o.address), {
        ...(o.balance === undefined ? {} : { balance: o.balance }),
        ...(o.nonce === undefined ? {} : { nonce: o.nonce }),
        ...(o.code === undefined ? {} : { code: o.code, codeHash: keccak256(o.code) }),
        replaceStorage: o.state !== undefined,
        slots,
      });
    }
  }

  #touch(address: Uint8Array): void {
    this.touched?.accounts.set(bytesToHex(address), address);
  }

  account(address: Uint8Array): HostAccount | undefined {
    this.#touch(address);
    const a = this.base.account(address);
    const o = this.#over.get(bytesToHex(address));
    if (o === undefined) {
      if (a === undefined) return undefined;
      return {
        balance: a.balance,
        nonce: a.nonce,
        codeHash: a.codeHash,
        hasStorage: !equalBytes(a.storageRoot, EMPTY_TRIE_ROOT),
      };
    }
    let hasStorage = !o.replaceStorage && a !== undefined && !equalBytes(a.storageRoot, EMPTY_TRIE_ROOT);
    for (const v of o.slots.values()) if (v !== 0n) hasStorage = true;
    return {
      balance: o.balance ?? a?.balance ?? 0n,
      nonce: o.nonce ?? a?.nonce ?? 0n,
      codeHash: o.codeHash ?? a?.codeHash ?? EMPTY_CODE_HASH,
      hasStorage,
    };
  }

  storage(address: Uint8Array, key: Uint8Array): bigint {
    const t = this.touched;
    if (t !== undefined) {
      const ak = bytesToHex(address);
      let s = t.slots.get(ak);
      if (s === undefined) {
        s = { address, keys: new Map() };
        t.slots.set(ak, s);
      }
      s.keys.set(bytesToHex(key), key);
    }
    const o = this.#over.get(bytesToHex(address));
    if (o !== undefined) {
      const v = o.slots.get(bytesToHex(key));
      if (v !== undefined) return v;
      if (o.replaceStorage) return 0n;
    }
    return this.base.storage(address, key);
  }

  code(address: Uint8Array): Uint8Array {
    this.#touch(address);
    const o = this.#over.get(bytesToHex(address));
    if (o?.code !== undefined) return o.code;
    const hash = this.base.account(address)?.codeHash ?? EMPTY_CODE_HASH;
    const hk = bytesToHex(hash);
    let c = this.#codeCache.get(hk);
    if (c === undefined) {
      c = this.base.code(hash);
      this.#codeCache.set(hk, c);
    }
    return c;
  }

  blockHash(number: bigint): Uint8Array {
    return this.hashOf(number);
  }
}
