/**
 * The state a block executes against, as the WASM EVM's host: the committed flat tables (LMDB, read-only),
 * under the task's overlay (parent state on a side branch), under the block's own writes so far. It applies
 * each transaction's write-set and, at the end, yields the block's write-set (one entry per account).
 */

import { bytesToBigint, equalBytes } from "../../node/core/bytes.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { EMPTY_TRIE_ROOT } from "../../node/core/trie/trieRoot.ts";
import type { StateOverlay } from "../../node/core/wire/execute.ts";
import { type Account, decodeAccount, EMPTY_CODE_HASH } from "../../node/state/account.ts";
import { storageKey } from "../../node/storage/keys.ts";
import { readBytes, type Table } from "../../node/storage/storage.ts";
import type { AccountChange, EvmHost, HostAccount } from "../../wasm/bindings/evmTypes.ts";

export interface FlatTables {
  readonly accounts: Table;
  readonly storage: Table;
  readonly code: Table;
}

/** Reads of the parent state: overlay first, then the flat tables. */
export class ParentState {
  readonly #accounts = new Map<string, Uint8Array | null>();
  readonly #storage = new Map<string, bigint>();
  readonly #wiped = new Set<string>();
  readonly #code = new Map<string, Uint8Array>();

  constructor(
    private readonly tables: FlatTables,
    overlay: StateOverlay,
  ) {
    for (const [a, v] of overlay.accounts) this.#accounts.set(bytesToHex(a), v);
    for (const [k, v] of overlay.storage) this.#storage.set(bytesToHex(k), v);
    for (const a of overlay.wiped ?? []) this.#wiped.add(bytesToHex(a));
    for (const [h, c] of overlay.code ?? []) this.#code.set(bytesToHex(h), c);
  }

  /** the parent state is fixed for the whole block: each account is read and decoded once */
  readonly #decoded = new Map<string, Account | null>();

  account(address: Uint8Array): Account | undefined {
    const k = bytesToHex(address);
    const hit = this.#decoded.get(k);
    if (hit !== undefined) return hit ?? undefined;
    const o = this.#accounts.get(k);
    const raw = o !== undefined ? o : (readBytes(this.tables.accounts, address) ?? null);
    const a = raw === null ? null : decodeAccount(raw);
    this.#decoded.set(k, a);
    return a ?? undefined;
  }

  storage(address: Uint8Array, slot: Uint8Array): bigint {
    const key = storageKey(address, slot);
    const o = this.#storage.get(bytesToHex(key));
    if (o !== undefined) return o;
    if (this.#wiped.size > 0 && this.#wiped.has(bytesToHex(address))) return 0n;
    const v = readBytes(this.tables.storage, key);
    return v === undefined ? 0n : bytesToBigint(v);
  }

  code(codeHash: Uint8Array): Uint8Array {
    if (equalBytes(codeHash, EMPTY_CODE_HASH)) return new Uint8Array(0);
    if (this.#code.size > 0) {
      const c = this.#code.get(bytesToHex(codeHash));
      if (c !== undefined) return c;
    }
    return readBytes(this.tables.code, codeHash) ?? new Uint8Array(0);
  }
}

interface Entry {
  address: Uint8Array;
  deleted: boolean;
  wiped: boolean;
  nonce: bigint;
  balance: bigint;
  codeHash: Uint8Array;
  code: Uint8Array | null;
  /** the parent had storage (and it was not wiped since) */
  baseHasStorage: boolean;
  /** hex slot → value written in this block */
  slots: Map<string, { key: Uint8Array; value: bigint }>;
}

export interface BlockWrite {
  readonly address: Uint8Array;
  readonly deleted: boolean;
  readonly wiped: boolean;
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Uint8Array;
  readonly code: Uint8Array | null;
  readonly slots: readonly { readonly key: Uint8Array; readonly value: bigint }[];
}

export class BlockState implements EvmHost {
  readonly #entries = new Map<string, Entry>();
  readonly #codeCache = new Map<string, Uint8Array>();

  constructor(
    private readonly parent: ParentState,
    private readonly hashOf: (n: bigint) => Uint8Array,
  ) {}

  /** The entry of `address`, created from the parent state on first write. */
  #entry(address: Uint8Array): Entry {
    const k = bytesToHex(address);
    let e = this.#entries.get(k);
    if (e === undefined) {
      const a = this.parent.account(address);
      e = {
        address,
        deleted: a === undefined,
        wiped: false,
        nonce: a?.nonce ?? 0n,
        balance: a?.balance ?? 0n,
        codeHash: a?.codeHash ?? EMPTY_CODE_HASH,
        code: null,
        baseHasStorage: a !== undefined && !equalBytes(a.storageRoot, EMPTY_TRIE_ROOT),
        slots: new Map(),
      };
      this.#entries.set(k, e);
    }
    return e;
  }

  account(address: Uint8Array): HostAccount | undefined {
    const e = this.#entries.get(bytesToHex(address));
    if (e === undefined) {
      const a = this.parent.account(address);
      if (a === undefined) return undefined;
      return {
        balance: a.balance,
        nonce: a.nonce,
        codeHash: a.codeHash,
        hasStorage: !equalBytes(a.storageRoot, EMPTY_TRIE_ROOT),
      };
    }
    if (e.deleted) return undefined;
    let hasStorage = e.baseHasStorage;
    if (!hasStorage) for (const s of e.slots.values()) if (s.value !== 0n) hasStorage = true;
    return { balance: e.balance, nonce: e.nonce, codeHash: e.codeHash, hasStorage };
  }

  storage(address: Uint8Array, key: Uint8Array): bigint {
    const e = this.#entries.get(bytesToHex(address));
    if (e === undefined) return this.parent.storage(address, key);
    const s = e.slots.get(bytesToHex(key));
    if (s !== undefined) return s.value;
    if (e.deleted || e.wiped) return 0n;
    return this.parent.storage(address, key);
  }

  code(address: Uint8Array): Uint8Array {
    const e = this.#entries.get(bytesToHex(address));
    if (e !== undefined) {
      if (e.deleted) return new Uint8Array(0);
      if (e.code !== null) return e.code;
    }
    const hash = e?.codeHash ?? this.parent.account(address)?.codeHash ?? EMPTY_CODE_HASH;
    const hk = bytesToHex(hash);
    let c = this.#codeCache.get(hk);
    if (c === undefined) {
      c = this.parent.code(hash);
      this.#codeCache.set(hk, c);
    }
    return c;
  }

  blockHash(number: bigint): Uint8Array {
    return this.hashOf(number);
  }

  /** Applies one transaction's (or system call's) write-set. */
  apply(changes: readonly AccountChange[]): void {
    for (const c of changes) {
      const e = this.#entry(c.address);
      if (c.deleted) {
        e.deleted = true;
        e.wiped = true;
        e.baseHasStorage = false;
        e.nonce = 0n;
        e.balance = 0n;
        e.codeHash = EMPTY_CODE_HASH;
        e.code = null;
        e.slots.clear();
        continue;
      }
      if (c.created || e.deleted) {
        e.wiped = e.wiped || c.created || e.baseHasStorage;
        e.baseHasStorage = false;
        e.slots.clear();
      }
      e.deleted = false;
      e.nonce = c.nonce;
      e.balance = c.balance;
      if (c.code !== null) {
        e.code = c.code;
        e.codeHash = c.code.length === 0 ? EMPTY_CODE_HASH : keccak256(c.code);
      }
      for (const s of c.storage) e.slots.set(bytesToHex(s.key), { key: s.key, value: s.value });
    }
  }

  /** EIP-4895 withdrawal credit in wei; a zero amount only touches (EIP-161: an empty account is removed). */
  credit(address: Uint8Array, wei: bigint): void {
    if (wei === 0n) {
      const a = this.account(address);
      if (a !== undefined && a.nonce === 0n && a.balance === 0n && equalBytes(a.codeHash, EMPTY_CODE_HASH))
        this.apply([
          { address, deleted: true, created: false, balance: 0n, nonce: 0n, code: null, storage: [] },
        ]);
      return;
    }
    const e = this.#entry(address);
    if (e.deleted) {
      e.deleted = false;
      e.wiped = true;
      e.slots.clear();
    }
    e.balance += wei;
  }

  /** Forgets this block's writes to `address` (system calls must not touch their caller). */
  restore(address: Uint8Array, before: BlockWrite | undefined): void {
    const k = bytesToHex(address);
    if (before === undefined) this.#entries.delete(k);
    else
      this.#entries.set(k, {
        ...before,
        baseHasStorage: false,
        slots: new Map(before.slots.map((s) => [bytesToHex(s.key), { ...s }])),
      });
  }

  /** The current write of one account, if the block touched it. */
  writeOf(address: Uint8Array): BlockWrite | undefined {
    const e = this.#entries.get(bytesToHex(address));
    return e === undefined ? undefined : toWrite(e);
  }

  /** The block's write-set: every touched account's final state. */
  writes(): BlockWrite[] {
    return [...this.#entries.values()].map(toWrite);
  }
}

function toWrite(e: Entry): BlockWrite {
  return {
    address: e.address,
    deleted: e.deleted,
    wiped: e.wiped,
    nonce: e.nonce,
    balance: e.balance,
    codeHash: e.codeHash,
    code: e.code,
    slots: [...e.slots.values()],
  };
}
