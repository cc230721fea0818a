/**
 * A block's transactions, decoded and with their senders, from the recover pool (decoding and secp256k1
 * recovery never run on the main thread). Cached per block hash, LRU, at most `MAX_BLOCKS` blocks (a block's
 * transactions never change; the oldest entry is dropped first).
 */
import type { ChainWorkers } from "../../chain/chain.ts";
import type { ChainStore } from "../../chain/chainStore.ts";
import { setNewest } from "../../core/boundedMap.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import type { RecoveredTx } from "../../core/wire/recover.ts";

export const MAX_BLOCKS = 256;

export class ChainTxs {
  readonly #cache = new Map<string, Promise<readonly RecoveredTx[]>>();

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
      return hit;
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
    p.catch(() => this.#cache.delete(key));
    setNewest(this.#cache, key, p, MAX_BLOCKS);
    return p;
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
