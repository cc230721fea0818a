/**
 * Block sync into an execution node in another process, through its Engine API: how a split validator
 * (`fastevm consensus --execution-url`) far behind catches up on execution. The consensus process fetches
 * the blocks (node/sync/syncManager.ts, every header's commit stamp checked against certified commits), the
 * execution node executes each one — as a beacon node's sync feeds its execution client:
 * - `importBlock`: newPayloadV3 of the block (its blob versioned hashes, its parent beacon root), then
 *   forkchoiceUpdatedV3 to it as head, safe and finalized (commits are final, as the engine driver's own
 *   blocks). The execution node checks the block hash, re-executes it and checks its state root, receipts
 *   root, bloom and gas like any payload, and stores nothing that fails;
 * - an INVALID answer is the block's fault: a PAYLOAD_INVALID validation error, so its peer is penalised
 *   and the batch dropped; SYNCING or ACCEPTED (the node lacks the parent), an unreachable node or any other
 *   error is not the peer's: the head is read again from the node and the round is retried later;
 * - `head` is the execution node's head as read at `open` (and after a failure), then each imported block:
 *   while block sync runs it is the only writer of that head (the driver waits, engineDriver.ts).
 * `EngineChainServer` is what such a process serves on the sync protocol: its execution node's chain,
 * read through the same port, so that in an all-split deployment (docker-compose.yml, `devnet --split`)
 * a validator far behind has its peers to sync from.
 */
import { type Block, decodeBlock, encodeBody } from "../core/block/block.ts";
import { type BlockHeader, decodeHeader } from "../core/block/header.ts";
import { payloadValueFromBlock } from "../core/block/payload.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";
import { decodeTransaction } from "../core/tx/decode.ts";
import type { EngineBlockReads, ExecutionEngine, PayloadStatus } from "../core/wire/engine.ts";
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
import type { ChainServerOptions } from "./chainServer.ts";
import type { SyncChain, SyncHead } from "./syncManager.ts";

const ZERO32 = new Uint8Array(32);
const BLOB_TX_TYPE = 3;

/** The versioned hashes newPayloadV3 is given with a block: its blob transactions', in order. */
export function blockBlobHashes(block: Block): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const raw of block.transactions) {
    if (raw[0] !== BLOB_TX_TYPE) continue;
    const tx = decodeTransaction(raw);
    if (tx.type === BLOB_TX_TYPE) out.push(...tx.blobVersionedHashes);
  }
  return out;
}

function statusError(what: string, st: PayloadStatus): FastEvmError {
  const detail = st.validationError === null ? "" : ` (${st.validationError})`;
  const invalid = st.status === "INVALID" || st.status === "INVALID_BLOCK_HASH";
  return new FastEvmError(
    invalid ? ErrorCode.PAYLOAD_INVALID : ErrorCode.CONSENSUS_ENGINE,
    `${what}: ${st.status}${detail}`,
    { status: st.status },
  );
}

export class EngineSyncChain implements SyncChain {
  #head: SyncHead;

  private constructor(
    readonly engine: ExecutionEngine,
    head: SyncHead,
  ) {
    this.#head = head;
  }

  /** Reads the execution node's head; fails while it has none (not started, or no genesis). */
  static async open(engine: ExecutionEngine): Promise<EngineSyncChain> {
    return new EngineSyncChain(engine, await EngineSyncChain.#read(engine));
  }

  static async #read(engine: ExecutionEngine): Promise<SyncHead> {
    const b = await engine.headBlock();
    if (b === null)
      throw new FastEvmError(ErrorCode.CONSENSUS_ENGINE, "the execution node has no head block");
    return { hash: b.hash, header: { number: b.number, extraData: b.extraData, mixHash: b.prevRandao } };
  }

  head(): SyncHead {
    return this.#head;
  }

  async importBlock(block: Block): Promise<{ readonly status: string }> {
    try {
      const p = payloadValueFromBlock(block);
      const hash = bytesToHex(p.blockHash);
      const st = await this.engine.newPayload(
        p,
        blockBlobHashes(block),
        block.header.parentBeaconBlockRoot ?? ZERO32,
      );
      if (st.status !== "VALID") throw statusError(`newPayload ${hash}`, st);
      const h = p.blockHash;
      const moved = await this.engine.forkchoiceUpdated({ head: h, safe: h, finalized: h });
      if (moved.payloadStatus.status !== "VALID")
        throw statusError(`forkchoiceUpdated to ${hash}`, moved.payloadStatus);
      this.#head = { hash: h, header: block.header };
      return { status: "VALID" };
    } catch (e) {
      // the node may have moved or lost its head (a restart before its writer stored the last blocks)
      this.#head = await EngineSyncChain.#read(this.engine).catch(() => this.#head);
      throw e;
    }
  }
}

/** Blocks read per debug_getRawBlock batch while a bodies answer grows toward its soft limit. */
const BODIES_PER_READ = 16;

/**
 * Serves block sync from the execution node behind the Engine port, by the rules of ChainServer (its
 * in-process twin): `status` is the node's head; `getBlockHeaders` walks the canonical chain by number
 * (an origin by hash must be a header the node has), at most MAX_HEADERS_SERVE, stopping at the first gap,
 * read in one batch of debug_getRawHeader; `getBlockBodies` in request order, stopping at the first unknown
 * hash or once past SOFT_RESPONSE_BYTES, from debug_getRawBlock. An unreachable node fails the request
 * (the asker tries another peer; it is not penalised for it).
 */
export class EngineChainServer implements SyncServeHandlers {
  readonly #maxHeaders: number;
  readonly #softBytes: number;

  constructor(
    private readonly engine: EngineBlockReads,
    private readonly chainId: bigint,
    private readonly genesisHash: Uint8Array,
    opts: ChainServerOptions = {},
  ) {
    this.#maxHeaders = Math.min(opts.maxHeaders ?? MAX_HEADERS_SERVE, MAX_HEADERS_SERVE);
    this.#softBytes = opts.softResponseBytes ?? SOFT_RESPONSE_BYTES;
  }

  async status(): Promise<SyncStatus> {
    const head = await this.engine.headBlock();
    if (head === null)
      throw new FastEvmError(ErrorCode.CONSENSUS_ENGINE, "the execution node has no head block");
    const { chainId, genesisHash } = this;
    return { kind: "status", chainId, genesisHash, headNumber: head.number, headHash: head.hash };
  }

  async headers(req: GetBlockHeaders): Promise<BlockHeaders> {
    const headers: BlockHeader[] = [];
    const origin = "hash" in req.origin ? req.origin.hash : req.origin.number;
    const [raw] = await this.engine.rawHeaders([origin]);
    if (raw === undefined || raw === null) return { kind: "blockHeaders", headers };
    const first = decodeHeader(raw);
    headers.push(first);
    const numbers: bigint[] = [];
    const step = BigInt(req.skip + 1);
    const count = Math.min(req.count, this.#maxHeaders);
    for (let n = first.number; numbers.length < count - 1; ) {
      n = req.reverse ? n - step : n + step;
      if (n < 0n) break;
      numbers.push(n);
    }
    for (const r of await this.engine.rawHeaders(numbers)) {
      if (r === null) break;
      headers.push(decodeHeader(r));
    }
    return { kind: "blockHeaders", headers };
  }

  async bodies(req: GetBlockBodies): Promise<BlockBodies> {
    const bodies: Uint8Array[] = [];
    let bytes = 0;
    for (let i = 0; i < req.hashes.length && bytes < this.#softBytes; i += BODIES_PER_READ) {
      for (const raw of await this.engine.rawBlocks(req.hashes.slice(i, i + BODIES_PER_READ))) {
        if (raw === null || bytes >= this.#softBytes) return { kind: "blockBodies", bodies };
        const body = encodeBody(decodeBlock(raw));
        bodies.push(body);
        bytes += body.length;
      }
    }
    return { kind: "blockBodies", bodies };
  }
}
