/**
 * Messages of the payload pool (ARCHITECTURE §4): engine_newPayload's stateless checks — every transaction
 * non-empty and decodable, the block rebuilt from the payload and its hash compared, the blob versioned
 * hashes collected — run off the main thread, which only parses the JSON and compares the result.
 */
import type { Block } from "../block/block.ts";
import type { ExecutionPayload } from "../block/payload.ts";

export interface PayloadCheckTask {
  /** the payload as received (structure already checked by the caller) */
  readonly payload: ExecutionPayload;
  /** V3's separate parameter; null for V1/V2 */
  readonly parentBeaconBlockRoot: Uint8Array | null;
}

export interface PayloadCheckOk {
  readonly ok: true;
  readonly block: Block;
  readonly blockHash: Uint8Array;
  /** blob versioned hashes of the block's blob transactions, in block order */
  readonly blobVersionedHashes: readonly Uint8Array[];
}

export interface PayloadCheckFailed {
  readonly ok: false;
  /** "params": a field's encoding is wrong (-32602); "invalid": a transaction or extraData; "hash": blockHash */
  readonly kind: "params" | "invalid" | "hash";
  readonly message: string;
}

export type PayloadCheckResult = PayloadCheckOk | PayloadCheckFailed;
