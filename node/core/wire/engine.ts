/**
 * The Engine API as typed values: what the consensus driver and the execution node exchange, in process
 * (direct calls) or over HTTP + JWT (the JSON Engine API, whose methods parse into and format from these).
 */
import type { Withdrawal } from "../block/withdrawal.ts";

/** Validated payload attributes, including the FastEVM forced-transaction extension (OP Stack names). */
export interface PayloadAttributes {
  readonly version: 1 | 2 | 3;
  readonly timestamp: bigint;
  readonly prevRandao: Uint8Array;
  readonly suggestedFeeRecipient: Uint8Array;
  readonly withdrawals?: readonly Withdrawal[];
  readonly parentBeaconBlockRoot?: Uint8Array;
  /** raw EIP-2718 transactions to build from, in order (`noTxPool: true` = nothing else) */
  readonly transactions?: readonly Uint8Array[];
  readonly noTxPool: boolean;
  readonly gasLimit?: bigint;
  /** the header's extraData (≤ 32 bytes; FastEVM consensus stamps the commit index in it) */
  readonly extraData?: Uint8Array;
}

/** forkchoiceUpdated's state: the head, safe and finalized block hashes (32 zero bytes: none). */
export interface ForkchoiceState {
  readonly head: Uint8Array;
  readonly safe: Uint8Array;
  readonly finalized: Uint8Array;
}

/** paris.md's payload statuses (INVALID_BLOCK_HASH only from newPayloadV1). */
export type PayloadStatusKind = "VALID" | "INVALID" | "SYNCING" | "ACCEPTED" | "INVALID_BLOCK_HASH";

export interface PayloadStatus {
  readonly status: PayloadStatusKind;
  /** the most recent valid block on the payload's chain (null: unknown or not applicable) */
  readonly latestValidHash: Uint8Array | null;
  readonly validationError: string | null;
}

export interface ForkchoiceUpdated {
  readonly payloadStatus: PayloadStatus;
  /** the build the attributes started (8 bytes, lowercase hex as the JSON API names it); null: none */
  readonly payloadId: string | null;
}

/** ExecutionPayloadV1–V3 as values: what getPayload answers and newPayload takes (no derived roots). */
export interface ExecutionPayloadValue {
  readonly parentHash: Uint8Array;
  readonly feeRecipient: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  readonly logsBloom: Uint8Array;
  readonly prevRandao: Uint8Array;
  readonly blockNumber: bigint;
  readonly gasLimit: bigint;
  readonly gasUsed: bigint;
  readonly timestamp: bigint;
  readonly extraData: Uint8Array;
  readonly baseFeePerGas: bigint;
  readonly blockHash: Uint8Array;
  /** raw EIP-2718 transactions */
  readonly transactions: readonly Uint8Array[];
  /** V2 on */
  readonly withdrawals?: readonly Withdrawal[];
  /** V3 */
  readonly blobGasUsed?: bigint;
  readonly excessBlobGas?: bigint;
}

export interface BuiltPayloadValue {
  readonly payload: ExecutionPayloadValue;
  /** wei the fee recipient earns */
  readonly blockValue: bigint;
}

/** The execution node's head block, as far as the consensus driver reads it. */
export interface HeadBlockValue {
  readonly hash: Uint8Array;
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  readonly extraData: Uint8Array;
  /** the header's mixHash: a FastEVM block's commit digest (what a full node's commit check anchors on) */
  readonly prevRandao: Uint8Array;
}

/**
 * The Engine API the consensus driver calls (lodestar's IExecutionEngine): Cancun's V3 methods, typed. Two
 * implementations: in process, direct calls into the engine (node/rpc/engine/inProcessEngine.ts, no JSON),
 * and the HTTP + JWT client (node/rpc/engine/client.ts, `HttpExecutionEngine`). Both give the same results
 * and fail with the same error: a FastEvmError whose `meta.rpcCode` is the JSON-RPC error code and
 * `meta.cause` the server's error code (-32000's `data.err`), as engineFailure.ts reads them.
 */
export interface ExecutionEngine {
  forkchoiceUpdated(state: ForkchoiceState, attributes?: PayloadAttributes): Promise<ForkchoiceUpdated>;
  getPayload(payloadId: string): Promise<BuiltPayloadValue>;
  newPayload(
    payload: ExecutionPayloadValue,
    versionedHashes: readonly Uint8Array[],
    parentBeaconBlockRoot: Uint8Array,
  ): Promise<PayloadStatus>;
  /** the canonical head (eth_getBlockByNumber("latest") over HTTP); null when the node has none */
  headBlock(): Promise<HeadBlockValue | null>;
}

/**
 * The raw block reads a split validator serves block sync from (debug_getRawHeader / debug_getRawBlock
 * batches on the Engine port; `HttpExecutionEngine` implements them, `EngineChainServer` uses them).
 */
export interface EngineBlockReads extends Pick<ExecutionEngine, "headBlock"> {
  /** headers as RLP by number (canonical) or hash, null where the node has none */
  rawHeaders(ids: readonly (bigint | Uint8Array)[]): Promise<(Uint8Array | null)[]>;
  /** blocks as RLP by hash or number, null where the node has none */
  rawBlocks(ids: readonly (bigint | Uint8Array)[]): Promise<(Uint8Array | null)[]>;
}
