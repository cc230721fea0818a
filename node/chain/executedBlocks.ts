/**
 * Blocks executed but not stored yet (a step toward reth's engine tree): the payload builder's result —
 * write-set, receipts, new trie nodes, gas — and the transaction hashes recovery produced, keyed by block
 * hash. `Chain.importBlock` of a block found here (same hash ⇒ same header, transactions root and
 * withdrawals root, so the same block on the same parent) commits this result instead of recovering and
 * executing again. Bounded: past `capacity` entries the OLDEST is dropped (its import then executes as any
 * unseen block would); an entry leaves when its block is stored.
 */

import { setNewest } from "../core/boundedMap.ts";
import { bytesToHex } from "../core/hex.ts";
import type { ExecutedBlock } from "../core/wire/execute.ts";

export interface ExecutedEntry {
  readonly result: ExecutedBlock;
  /** the block's transaction hashes, in block order */
  readonly txHashes: readonly Uint8Array[];
}

/** 64 blocks: far more than the engine's 10 pending payloads; a block of 1,000 transfers is a few MB. */
export const EXECUTED_BLOCKS_CAPACITY = 64;

export class ExecutedBlocks {
  readonly #map = new Map<string, ExecutedEntry>();
  /** entries dropped because the cache was full */
  dropped = 0;

  constructor(readonly capacity = EXECUTED_BLOCKS_CAPACITY) {}

  get size(): number {
    return this.#map.size;
  }

  add(hash: Uint8Array, entry: ExecutedEntry): void {
    if (this.capacity <= 0) return;
    this.dropped += setNewest(this.#map, bytesToHex(hash), entry, this.capacity);
  }

  get(hash: Uint8Array): ExecutedEntry | undefined {
    return this.#map.get(bytesToHex(hash));
  }

  delete(hash: Uint8Array): void {
    this.#map.delete(bytesToHex(hash));
  }
}
