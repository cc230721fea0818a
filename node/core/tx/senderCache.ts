/**
 * Recovered senders, so a transaction is recovered once per node: txpool admission fills it, and the
 * payload builder and block import read it before they send anything to the recover pool. It is keyed
 * by the raw EIP-2718 bytes (equal bytes ⇔ equal transaction hash), which the main thread can look up
 * without hashing. Bounded to `capacity` entries, least recently used dropped first; the txpool takes
 * an entry out when its transaction's block becomes the head (the RPC's `ChainTxs` has copied the block's
 * entries by then), so it holds mostly transactions still on their way into a block.
 */

import { setNewest } from "../boundedMap.ts";
import type { RecoveredTx, RecoverItem } from "../wire/recover.ts";

/** The key of a raw transaction: its bytes as base64 (native, no hashing). */
export function rawTxKey(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64");
}

export class SenderCache {
  readonly #map = new Map<string, RecoveredTx>();
  hits = 0;
  misses = 0;

  /** 32,768 entries: about 16 s of transactions at 2,000 tx/s, ~2.7 KB each (a heap snapshot), ~85 MB full. */
  constructor(readonly capacity = 32_768) {}

  get size(): number {
    return this.#map.size;
  }

  get(raw: Uint8Array): RecoveredTx | undefined {
    const k = rawTxKey(raw);
    const v = this.#map.get(k);
    if (v === undefined) return undefined;
    this.#map.delete(k);
    this.#map.set(k, v);
    return v;
  }

  /** `get` that also drops the entry: its transaction is done with (the txpool, once it is included). */
  take(raw: Uint8Array): RecoveredTx | undefined {
    const k = rawTxKey(raw);
    const v = this.#map.get(k);
    if (v !== undefined) this.#map.delete(k);
    return v;
  }

  set(raw: Uint8Array, item: RecoveredTx): void {
    setNewest(this.#map, rawTxKey(raw), item, this.capacity);
  }

  /**
   * `recover` through the cache: hits are answered here, the misses go to `recover` in one call (the
   * recover pool) and the successful ones are remembered, unless `remember` is false: a recovery that
   * skipped a check the cached entries passed (the chain-id rule, for stored transactions) reads the
   * cache but must not fill it. Results keep the input order.
   */
  async recover(
    txs: readonly Uint8Array[],
    recover: (txs: readonly Uint8Array[]) => Promise<RecoverItem[]>,
    remember = true,
  ): Promise<RecoverItem[]> {
    const out: (RecoverItem | undefined)[] = new Array(txs.length);
    const missIdx: number[] = [];
    const missTxs: Uint8Array[] = [];
    txs.forEach((raw, i) => {
      const hit = this.get(raw);
      if (hit !== undefined) {
        out[i] = hit;
        this.hits++;
      } else {
        missIdx.push(i);
        missTxs.push(raw);
      }
    });
    this.misses += missTxs.length;
    if (missTxs.length > 0) {
      const items = await recover(missTxs);
      items.forEach((item, j) => {
        const i = missIdx[j]!;
        out[i] = item;
        if (remember && item.ok) this.set(txs[i]!, item);
      });
    }
    return out as RecoverItem[];
  }
}
