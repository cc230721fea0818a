/**
 * engine_newPayloadV1/V2/V3 in the spec's validation order (paris/shanghai/cancun.md): structure (-32602) →
 * fork window (-38005) → transactions decodable → block hash (both in the payload pool, off the main thread)
 * → blob versioned hashes → known verdicts →
 * parent known (else SYNCING) → execution through the chain (`Chain.acceptBlock`: in memory, no LMDB write on
 * this path). The chain's head is left where forkchoiceUpdated put it.
 */
import type { Block } from "../../core/block/block.ts";
import {
  type ExecutionPayload,
  payloadValueFromBlock,
  payloadValueToJson,
} from "../../core/block/payload.ts";
import { equalBytes } from "../../core/bytes.ts";
import { isCancun, isShanghai } from "../../core/chain/chainConfig.ts";
import { ErrorCode, isFastEvmError, isValidationError } from "../../core/errors.ts";
import { hexToBytes, quantityToBigint } from "../../core/hex.ts";
import { TxType } from "../../core/tx/types.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { EngineState, ServedPayload } from "./engineState.ts";
import { data32, expectParams, param, parseField, payloadShape } from "./validate.ts";

export type PayloadStatus = "VALID" | "INVALID" | "SYNCING" | "ACCEPTED" | "INVALID_BLOCK_HASH";

export interface PayloadStatusV1 {
  readonly status: PayloadStatus;
  readonly latestValidHash: string | null;
  readonly validationError: string | null;
}

const status = (s: PayloadStatus, lvh: string | null = null, err: string | null = null): PayloadStatusV1 => ({
  status: s,
  latestValidHash: lvh,
  validationError: err,
});

/** What newPayload checks and imports, from JSON params or typed values alike. */
export interface NewPayloadInput {
  /** the payload's version by its fields */
  readonly shape: 1 | 2 | 3;
  readonly timestamp: bigint;
  /** lowercase hex */
  readonly blockHash: string;
  readonly parentHash: string;
  /** V3's expectedBlobVersionedHashes (empty before) */
  readonly expectedBlobHashes: readonly Uint8Array[];
  /** V3's parentBeaconBlockRoot */
  readonly beaconRoot: Uint8Array | undefined;
  /** whether this is, field for field, the payload getPayload served as `served` */
  readonly isServed: (served: ServedPayload) => boolean;
  /** the JSON form, for the payload pool's check (decode, transactions root, block hash) */
  readonly json: () => ExecutionPayload;
  /** the raw transactions, for recovery started beside that check; undefined when one is not hex */
  readonly transactions: () => readonly Uint8Array[] | undefined;
}

/** The payload versions newPayloadVn accepts. */
export function acceptedShapes(version: 1 | 2 | 3): readonly (1 | 2 | 3)[] {
  return version === 1 ? [1] : version === 2 ? [1, 2] : [3];
}

/** engine_newPayloadVn over JSON: the parameters' structure checked, then the one newPayload below. */
export async function newPayload(
  engine: EngineState,
  version: 1 | 2 | 3,
  params: readonly unknown[],
): Promise<PayloadStatusV1> {
  // 1. structure
  expectParams(params, version === 3 ? 3 : 1);
  const { payload, version: shape } = payloadShape(
    param(params, 0, "executionPayload"),
    acceptedShapes(version),
  );
  const timestamp = parseField("timestamp", RpcCode.INVALID_PARAMS, () =>
    quantityToBigint(payload.timestamp, 64),
  );
  let expectedBlobHashes: Uint8Array[] = [];
  let beaconRoot: Uint8Array | undefined;
  if (version === 3) {
    const hashes = param(params, 1, "expectedBlobVersionedHashes");
    if (!Array.isArray(hashes))
      throw new RpcError(RpcCode.INVALID_PARAMS, "expectedBlobVersionedHashes must be an array");
    expectedBlobHashes = hashes.map((h, i) => data32(h, `expectedBlobVersionedHashes[${i}]`));
    beaconRoot = data32(param(params, 2, "parentBeaconBlockRoot"), "parentBeaconBlockRoot");
  }
  return checkAndImport(engine, version, {
    shape,
    timestamp,
    blockHash: payload.blockHash.toLowerCase(),
    parentHash: payload.parentHash.toLowerCase(),
    expectedBlobHashes,
    beaconRoot,
    // the same object in-process, equal JSON over HTTP
    isServed: (s) => s.json === payload || JSON.stringify(servedJson(s)) === JSON.stringify(payload),
    json: () => payload,
    transactions: () => hexList(payload.transactions),
  });
}

/** Each string as bytes, or undefined when one is not well-formed hex (the payload pool's check says so). */
function hexList(list: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(list)) return undefined;
  try {
    return list.map((h) => hexToBytes(h as string));
  } catch {
    return undefined;
  }
}

/** The JSON of a served payload (made once, when first asked). */
export function servedJson(s: ServedPayload): ExecutionPayload {
  s.json ??= payloadValueToJson(s.value ?? payloadValueFromBlock(s.block));
  return s.json;
}

/**
 * newPayload after the parameters' structure, for the JSON method and the in-process engine alike: the
 * payload version against the fork (-32602), the fork window (-38005), the stateless checks (in the payload
 * pool, unless this node served this very payload), blob versioned hashes, then the import.
 */
export async function checkAndImport(
  engine: EngineState,
  version: 1 | 2 | 3,
  input: NewPayloadInput,
): Promise<PayloadStatusV1> {
  const config = engine.chain.config;
  const { shape, timestamp, beaconRoot } = input;
  if (!acceptedShapes(version).includes(shape))
    throw new RpcError(RpcCode.INVALID_PARAMS, `ExecutionPayloadV${shape} is not accepted by this method`);
  if (version === 2 && (shape === 2) !== isShanghai(config, timestamp))
    throw new RpcError(
      RpcCode.INVALID_PARAMS,
      `ExecutionPayloadV${shape} used for timestamp ${timestamp} (V2 from Shanghai on, V1 before)`,
    );
  // 2. fork window
  const cancun = isCancun(config, timestamp);
  if (
    (version === 3 && !cancun) ||
    (version === 2 && cancun) ||
    (version === 1 && isShanghai(config, timestamp))
  )
    throw new RpcError(
      RpcCode.UNSUPPORTED_FORK,
      `newPayloadV${version} does not cover timestamp ${timestamp}`,
    );
  engine.counters.newPayload++;
  // 3.–4. transactions, extraData, block hash: in the payload pool, unless this node served this very
  // payload from getPayload (then its block is the one it was made from)
  let block: Block;
  let blobHashes: readonly Uint8Array[];
  const own = servedBlock(engine, input);
  if (own !== undefined) {
    block = own;
    blobHashes = [];
  } else {
    engine.counters.payloadChecks++;
    // sender recovery (the recover pool) beside the stateless check (the payload pool): the import takes
    // it only for a block with the claimed hash and these transactions
    recoverBeside(engine, input);
    const checked = await engine.checkPayload({
      payload: input.json(),
      parentBeaconBlockRoot: beaconRoot ?? null,
    });
    if (!checked.ok) {
      if (checked.kind === "params") throw new RpcError(RpcCode.INVALID_PARAMS, checked.message);
      if (checked.kind === "hash")
        return status(version === 1 ? "INVALID_BLOCK_HASH" : "INVALID", null, checked.message);
      return status("INVALID", null, checked.message);
    }
    block = checked.block;
    blobHashes = checked.blobVersionedHashes;
  }
  // 5. blob versioned hashes
  if (version === 3) {
    const want = input.expectedBlobHashes;
    const same = blobHashes.length === want.length && blobHashes.every((h, i) => equalBytes(h, want[i]!));
    if (!same)
      return status("INVALID", null, "blob versioned hashes differ from expectedBlobVersionedHashes");
  }
  return engine.lock.run(() => execute(engine, block, input.blockHash, input.parentHash));
}

/**
 * Starts the payload's sender recovery in the recover pool, to run while the payload pool checks it; a
 * payload too malformed to start it (a hash or a transaction that is not hex) is left to that check.
 */
function recoverBeside(engine: EngineState, input: NewPayloadInput): void {
  const raw = input.transactions();
  if (raw === undefined || raw.length === 0) return;
  let hash: Uint8Array;
  try {
    hash = hexToBytes(input.blockHash, 32);
  } catch {
    return;
  }
  engine.chain.recoverAheadOf(hash, raw);
}

/**
 * The block of a payload this node served from getPayload, when the payload is that one field for field
 * with the same beacon root, and it holds no blob transaction (this node never builds one; their versioned
 * hashes would need the full check). Anything else — a payload another node built, or one changed in any
 * field — goes through the full check.
 */
function servedBlock(engine: EngineState, input: NewPayloadInput): Block | undefined {
  const served = engine.served.get(input.blockHash);
  if (served === undefined || !input.isServed(served)) return undefined;
  const root = served.block.header.parentBeaconBlockRoot;
  const beaconRoot = input.beaconRoot;
  if ((root === undefined) !== (beaconRoot === undefined)) return undefined;
  if (root !== undefined && beaconRoot !== undefined && !equalBytes(root, beaconRoot)) return undefined;
  if (served.block.transactions.some((raw) => raw[0] === TxType.Blob)) return undefined;
  return served.block;
}

async function execute(
  engine: EngineState,
  block: Block,
  hash: string,
  parentHex: string,
): Promise<PayloadStatusV1> {
  const chain = engine.chain;
  // Verdicts never flip: a known-invalid block or a child of one is INVALID, a stored block is VALID.
  const bad = engine.invalid.get(hash);
  if (bad !== undefined) return status("INVALID", bad.latestValidHash, bad.error);
  const badParent = engine.invalid.get(parentHex);
  if (badParent !== undefined) {
    const entry = {
      latestValidHash: badParent.latestValidHash,
      error: `descends from invalid block ${parentHex}`,
    };
    engine.markInvalid(hash, entry);
    return status("INVALID", entry.latestValidHash, entry.error);
  }
  if (!chain.hasBlock(block.header.parentHash)) return status("SYNCING");
  if (chain.hasBlock(hexToBytes(hash, 32))) return status("VALID", hash);
  try {
    // Executed (unless built here) and kept in memory, written in the background; the head stays where it
    // is: forkchoiceUpdated decides it.
    await chain.acceptBlock(block);
  } catch (e) {
    if (!isFastEvmError(e)) throw e;
    if (e.code === ErrorCode.BLOCK_UNKNOWN_PARENT) return status("SYNCING");
    if (e.code === ErrorCode.BLOCK_REORG_TOO_DEEP) return status("ACCEPTED");
    if (!isValidationError(e)) throw e;
    const entry = { latestValidHash: parentHex, error: e.message };
    engine.markInvalid(hash, entry);
    return status("INVALID", entry.latestValidHash, entry.error);
  }
  return status("VALID", hash);
}
