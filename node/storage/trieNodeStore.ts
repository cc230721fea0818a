/**
 * Trie nodes over the `trieNodes` table, exposed as the `DB` interface @ethereumjs/mpt expects. Nodes are
 * content-addressed (key = keccak256 of the node), so one table serves the state trie and every storage trie.
 * Writes go to an in-memory overlay until `commit()` (or `writeTo()` inside a caller's transaction), so a
 * block's nodes are persisted in the same LMDB transaction as the rest of the block.
 */
import type { BatchDBOp, DB } from "@ethereumjs/util";
import { bytesToUnprefixedHex, hexToBytes } from "../core/hex.ts";
import { readBytes, type Storage, type Table } from "./storage.ts";

type Value = string | Uint8Array;

export class TrieNodeStore implements DB<string, Value> {
  /** unprefixed hex key -> node bytes, not yet in LMDB */
  private readonly pending: Map<string, Uint8Array>;
  private readonly table: Table | undefined;
  /** read-only nodes of blocks not persisted yet (an execute task's overlay), by unprefixed hex key */
  private readonly known: ReadonlyMap<string, Uint8Array> | undefined;

  /**
   * `table` undefined: a purely in-memory store (tests, one-shot root computations). `known`: nodes that
   * are read as if in the table but never written by this store.
   */
  constructor(
    table: Table | undefined,
    pending = new Map<string, Uint8Array>(),
    known?: ReadonlyMap<string, Uint8Array>,
  ) {
    this.table = table;
    this.pending = pending;
    this.known = known;
  }

  /** `known` keyed as this store keys its nodes, from (hash, node) pairs. */
  static knownNodes(nodes: readonly (readonly [Uint8Array, Uint8Array])[]): ReadonlyMap<string, Uint8Array> {
    return new Map(nodes.map(([h, n]) => [bytesToUnprefixedHex(h), n]));
  }

  static forStorage(storage: Storage): TrieNodeStore {
    return new TrieNodeStore(storage.tables.trieNodes);
  }

  async get(key: string): Promise<Value | undefined> {
    return this.getSync(key);
  }

  getSync(key: string): Uint8Array | undefined {
    const p = this.pending.get(key) ?? this.known?.get(key);
    if (p !== undefined) return p;
    return this.table === undefined ? undefined : readBytes(this.table, hexToBytes(`0x${key}`));
  }

  /** Synchronous reader by node hash (for `PatriciaTrie`). */
  readNode = (hash: Uint8Array): Uint8Array | undefined => this.getSync(bytesToUnprefixedHex(hash));

  /** Synchronous pending write by node hash (a `PatriciaTrie` commit sink). */
  putNode = (hash: Uint8Array, encoded: Uint8Array): void => {
    this.pending.set(bytesToUnprefixedHex(hash), encoded);
  };

  async put(key: string, val: Value): Promise<void> {
    this.pending.set(key, typeof val === "string" ? hexToBytes(`0x${val}`) : val);
  }

  /** Nodes are never deleted in place: a node may be shared by many tries (no pruning yet). */
  async del(key: string): Promise<void> {
    this.pending.delete(key);
  }

  async batch(ops: BatchDBOp<string, Value>[]): Promise<void> {
    for (const op of ops) {
      if (op.type === "put") await this.put(op.key, op.value);
      else await this.del(op.key);
    }
  }

  shallowCopy(): DB<string, Value> {
    return new TrieNodeStore(this.table, this.pending, this.known);
  }

  async open(): Promise<void> {}

  /** Number of nodes written since the last commit. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The pending nodes as (hash, node) pairs, e.g. to ship from a worker to the writer. */
  pendingNodes(): [Uint8Array, Uint8Array][] {
    return [...this.pending].map(([k, v]) => [hexToBytes(`0x${k}`), v]);
  }

  /** Writes the pending nodes with `putSync`: call inside the caller's `transactionSync`. */
  writeTo(table: Table): void {
    for (const [k, v] of this.pending) table.putSync(hexToBytes(`0x${k}`), v);
    this.pending.clear();
  }

  /** Persists the pending nodes in one LMDB transaction of their own. */
  commit(): void {
    const table = this.table;
    if (table === undefined) return;
    table.transactionSync(() => this.writeTo(table));
  }
}

/** Hex form of a node hash as mpt keys it (for direct lookups). */
export function nodeKey(hash: Uint8Array): string {
  return bytesToUnprefixedHex(hash);
}
