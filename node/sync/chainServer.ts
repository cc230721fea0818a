/**
 * Serves block sync from the chain store (validators and full nodes alike): `status` from the stored
 * config, genesis and head; `getBlockHeaders` along the canonical index (an origin by hash must be a stored
 * header; from it the walk goes by canonical number), at most MAX_HEADERS_SERVE and stopping at the first
 * gap; `getBlockBodies` in request order, stopping at the first unknown hash or once past
 * SOFT_RESPONSE_BYTES, bodies sent as stored (no decoding).
 */

import type { ChainStore } from "../chain/chainStore.ts";
import type { BlockHeader } from "../core/block/header.ts";
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

export class ChainServer implements SyncServeHandlers {
  readonly #chainId: bigint;
  readonly #genesisHash: Uint8Array;
  readonly #maxHeaders: number;
  readonly #softBytes: number;

  constructor(
    private readonly store: ChainStore,
    opts: ChainServerOptions = {},
  ) {
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
    const head = this.store.head();
    return {
      kind: "status",
      chainId: this.#chainId,
      genesisHash: this.#genesisHash,
      headNumber: head.header.number,
      headHash: head.hash,
    };
  }

  headers(req: GetBlockHeaders): BlockHeaders {
    const out: BlockHeader[] = [];
    const count = Math.min(req.count, this.#maxHeaders);
    let first: BlockHeader | undefined;
    if ("hash" in req.origin) first = this.store.header(req.origin.hash);
    else {
      const h = this.store.canonicalHash(req.origin.number);
      first = h === undefined ? undefined : this.store.header(h);
    }
    if (first === undefined) return { kind: "blockHeaders", headers: out };
    out.push(first);
    const step = BigInt(req.skip + 1);
    let n = first.number;
    while (out.length < count) {
      n = req.reverse ? n - step : n + step;
      if (n < 0n) break;
      const h = this.store.canonicalHash(n);
      const header = h === undefined ? undefined : this.store.header(h);
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
      const raw = this.store.rawBody(hash);
      if (raw === undefined) break;
      out.push(raw.slice());
      bytes += raw.length;
    }
    return { kind: "blockBodies", bodies: out };
  }
}
