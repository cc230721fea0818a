/**
 * A block's transactions, decoded and with their senders, from the recover pool (decoding and secp256k1
 * recovery never run on the main thread; a node passes its sender cache in front of it, so the
 * transactions its txpool admitted are not recovered again). Cached per block hash, LRU, at most
 * `MAX_BLOCKS` blocks and `MAX_TXS` transactions (a block's transactions never change; the oldest entry is
 * dropped first, the newest block is always kept): about 2 KB per decoded transaction, so some 16 MB.
 */
import type { Chain, ChainWorkers } from "../../chain/chain.ts";
import type { ChainStore } from "../../chain/chainStore.ts";
import { setNewestWeighted } from "../../core/boundedMap.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import type { RecoveredTx } from "../../core/wire/recover.ts";

export const MAX_BLOCKS = 256;
/**
 * Transactions held: a few seconds of blocks at 2,000 tx/s, what readers following the head (receipts per
 * new block, newHeads consumers, fee history) ask again. 256 full blocks would be ~100 MB.
 */
export const MAX_TXS = 8192;

interface Entry {
  readonly txs: Promise<readonly RecoveredTx[]>;
  readonly count: number;
}

const count = (e: Entry): number => e.count;

/** Where a node's recovered transactions are found without recovering (its SenderCache). */
export type RecoveredLookup = (raw: Uint8Array) => RecoveredTx | undefined;

export class ChainTxs {
  readonly #cache = new Map<string, Entry>();
  #unfollow: (() => void) | undefined;

  constructor(
    private readonly store: ChainStore,
    private readonly recover: ChainWorkers["recover"],
  ) {}

  /** The decoded transactions of the stored block `hash` (its raw ones given, as the caller has them). */
  of(hash: Uint8Array, raw: readonly Uint8Array[]): Promise<readonly RecoveredTx[]> {
    if (raw.length === 0) return Promise.resolve([]);
    const key = bytesToHex(hash);
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit.txs;
    }
    // Stored transactions passed the chain's rules once; the chain-id rule is not re-checked here.
    const p = this.recover(raw, null).then((items) =>
      items.map((it, i) => {
        if (!it.ok)
          throw new FastEvmError(
            ErrorCode.STORAGE,
            `stored transaction ${i} of block ${key} does not decode: ${it.error.message}`,
          );
        return it;
      }),
    );
    const entry = { txs: p, count: raw.length };
    p.catch(() => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
    });
    setNewestWeighted(this.#cache, key, entry, MAX_BLOCKS, count, MAX_TXS);
    return p;
  }

  /**
   * Copies each block that joins the canonical chain from `lookup` when every one of its transactions is
   * there (nothing is recovered for it: a block nobody asks for costs only the lookups), so the
   * RPC's reads of new blocks find them after the txpool has taken its entries out of the sender cache
   * (it does so once the head-change listeners have returned: `TxPoolService` applies a change in a promise
   * job).
   */
  follow(chain: Pick<Chain, "onHeadChange">, lookup: RecoveredLookup): void {
    this.#unfollow?.();
    this.#unfollow = chain.onHeadChange((c) => {
      for (const b of c.added) this.#keep(b.hash, lookup);
    });
  }

  /** Stops following the chain. */
  close(): void {
    this.#unfollow?.();
    this.#unfollow = undefined;
  }

  #keep(hash: Uint8Array, lookup: RecoveredLookup): void {
    const key = bytesToHex(hash);
    if (this.#cache.has(key)) return;
    const raw = this.store.body(hash)?.transactions ?? [];
    if (raw.length === 0) return;
    const txs: RecoveredTx[] = [];
    for (const r of raw) {
      const found = lookup(r);
      if (found === undefined) return;
      txs.push(found);
    }
    setNewestWeighted(
      this.#cache,
      key,
      { txs: Promise.resolve(txs), count: raw.length },
      MAX_BLOCKS,
      count,
      MAX_TXS,
    );
  }

  /** Blocks and transactions held (tests). */
  get held(): { readonly blocks: number; readonly txs: number } {
    let txs = 0;
    for (const e of this.#cache.values()) txs += e.count;
    return { blocks: this.#cache.size, txs };
  }

  /** Decodes transactions that are in no block (the pool's), uncached; undecodable ones are left out. */
  async decode(raw: readonly Uint8Array[]): Promise<RecoveredTx[]> {
    if (raw.length === 0) return [];
    return (await this.recover(raw, null)).filter((it): it is RecoveredTx => it.ok);
  }

  /** Same, reading the body from the store (empty when the block is unknown). */
  ofBlock(hash: Uint8Array): Promise<readonly RecoveredTx[]> {
    return this.of(hash, this.store.body(hash)?.transactions ?? []);
  }
}
