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
 * `serveNothing` is what such a process serves on the sync protocol: it holds no chain, so its status
 * names genesis and it answers no header and no body; no peer picks it to sync from.
 */
import type { Block } from "../core/block/block.ts";
import { payloadValueFromBlock } from "../core/block/payload.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";
import { decodeTransaction } from "../core/tx/decode.ts";
import type { ExecutionEngine, PayloadStatus } from "../core/wire/engine.ts";
import type { SyncServeHandlers } from "../network/syncTransport.ts";
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

/** The sync protocol's answers of a process without a chain: status at genesis, no headers, no bodies. */
export function serveNothing(chainId: bigint, genesisHash: Uint8Array): SyncServeHandlers {
  return {
    status: () => ({ kind: "status", chainId, genesisHash, headNumber: 0n, headHash: genesisHash }),
    headers: () => ({ kind: "blockHeaders", headers: [] }),
    bodies: () => ({ kind: "blockBodies", bodies: [] }),
  };
}
