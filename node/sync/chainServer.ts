/**
 * Serves block sync from the chain (validators and full nodes alike): the store and, above it, the engine
 * tree's blocks not persisted yet. `status` names the canonical head (which may be a block the writer has
 * not stored yet); `getBlockHeaders` walks the canonical chain by number (the unpersisted part found by
 * walking back from the canonical head to the stored canonical index; an origin by hash must be a known
 * header), at most MAX_HEADERS_SERVE and stopping at the first gap; `getBlockBodies` in request order,
 * stopping at the first unknown hash or once past SOFT_RESPONSE_BYTES, stored bodies sent as stored (no
 * decoding), unpersisted ones encoded.
 */

import type { ChainStore } from "../chain/chainStore.ts";
import { type Block, encodeBody } from "../core/block/block.ts";
import type { BlockHeader } from "../core/block/header.ts";
import { equalBytes } from "../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import {
  type BlockBodies,
  type BlockHeaders,
  type GetBlockBodies,
  type GetBlockHeaders,
  MAX_HEADERS_SERVE,
  SOFT_RESPONSE_BYTES,
  type SyncStatus,
} from "../core/wire/sync.ts";
import type { SyncServeHandlers } from "../network/syncTransport.ts";

export interface ChainServerOptions {
  /** headers per response (default and ceiling MAX_HEADERS_SERVE) */
  readonly maxHeaders?: number;
  /** bytes after which a bodies response stops growing (default SOFT_RESPONSE_BYTES) */
  readonly softResponseBytes?: number;
}

/** What the server reads: the chain's public view (`Chain`), the store under it. */
export interface ServedChain {
  readonly store: ChainStore;
  head(): { readonly hash: Uint8Array; readonly header: BlockHeader };
  header(hash: Uint8Array): BlockHeader | undefined;
  block(hash: Uint8Array): Block | undefined;
}

/** Blocks walked back from the canonical head to find the unpersisted part (the engine tree's buffer is 16). */
const MAX_UNPERSISTED_WALK = 1024;

export class ChainServer implements SyncServeHandlers {
  readonly #chainId: bigint;
  readonly #genesisHash: Uint8Array;
  readonly #maxHeaders: number;
  readonly #softBytes: number;

  private readonly store: ChainStore;

  constructor(
    private readonly chain: ServedChain,
    opts: ChainServerOptions = {},
  ) {
    const store = chain.store;
    this.store = store;
    this.#chainId = store.chainConfig().chainId;
    const genesis = store.canonicalHash(0n);
    if (genesis === undefined) throw new FastEvmError(ErrorCode.NOT_FOUND, "the chain store has no genesis");
    this.#genesisHash = genesis;
    this.#maxHeaders = Math.min(opts.maxHeaders ?? MAX_HEADERS_SERVE, MAX_HEADERS_SERVE);
    this.#softBytes = opts.softResponseBytes ?? SOFT_RESPONSE_BYTES;
  }

  get genesisHash(): Uint8Array {
    return this.#genesisHash;
  }

  status(): SyncStatus {
    const head = this.chain.head();
    return {
      kind: "status",
      chainId: this.#chainId,
      genesisHash: this.#genesisHash,
      headNumber: head.header.number,
      headHash: head.hash,
    };
  }

  /**
   * The canonical blocks above the stored canonical index, by number: walked back from the canonical head
   * until a block the store has as canonical at its number (usually none or one or two blocks).
   */
  #unpersisted(): Map<bigint, BlockHeader> {
    const out = new Map<bigint, BlockHeader>();
    let { hash, header } = this.chain.head();
    for (let i = 0; i < MAX_UNPERSISTED_WALK; i++) {
      const stored = this.store.canonicalHash(header.number);
      if (stored !== undefined && equalBytes(stored, hash)) break;
      out.set(header.number, header);
      const parent = this.chain.header(header.parentHash);
      if (parent === undefined) break;
      hash = header.parentHash;
      header = parent;
    }
    return out;
  }

  headers(req: GetBlockHeaders): BlockHeaders {
    const out: BlockHeader[] = [];
    const count = Math.min(req.count, this.#maxHeaders);
    const memory = this.#unpersisted();
    const canonical = (n: bigint): BlockHeader | undefined => {
      const m = memory.get(n);
      if (m !== undefined) return m;
      // the canonical chain ends at the canonical head (a stored block above it is not canonical any more)
      if (n > this.chain.head().header.number) return undefined;
      const h = this.store.canonicalHash(n);
      return h === undefined ? undefined : this.store.header(h);
    };
    let first: BlockHeader | undefined;
    if ("hash" in req.origin) first = this.chain.header(req.origin.hash);
    else first = canonical(req.origin.number);
    if (first === undefined) return { kind: "blockHeaders", headers: out };
    out.push(first);
    const step = BigInt(req.skip + 1);
    let n = first.number;
    while (out.length < count) {
      n = req.reverse ? n - step : n + step;
      if (n < 0n) break;
      const header = canonical(n);
      if (header === undefined) break;
      out.push(header);
    }
    return { kind: "blockHeaders", headers: out };
  }

  bodies(req: GetBlockBodies): BlockBodies {
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const hash of req.hashes) {
      if (bytes >= this.#softBytes) break;
      const stored = this.store.rawBody(hash);
      let raw: Uint8Array;
      if (stored !== undefined) raw = stored.slice();
      else {
        const b = this.chain.block(hash);
        if (b === undefined) break;
        raw = encodeBody(b);
      }
      out.push(raw);
      bytes += raw.length;
    }
    return { kind: "blockBodies", bodies: out };
  }
}
