/**
 * The Engine API's read-only methods: engine_exchangeCapabilities, engine_getClientVersionV1,
 * engine_getPayloadBodiesByHashV1 / ByRangeV1 and engine_getBlobsV1 (no blob pool on this chain: all null).
 */
import { withdrawalToJson } from "../../core/block/payload.ts";
import { bytesToHex, quantityToBigint } from "../../core/hex.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { EngineState } from "./engineState.ts";
import { data32, expectParams, param, parseField } from "./validate.ts";

/** geth/reth cap: 1024 bodies per request (the spec's minimum is 32); 128 blobs (the minimum). */
export const MAX_BODIES = 1024;
export const MAX_BLOBS = 128;

export const CLIENT_VERSION = { code: "FE", name: "fastevm", version: "0.1.0", commit: "0x00000000" };

export function clientVersion(params: readonly unknown[]): unknown[] {
  expectParams(params, 1);
  const cl = param(params, 0, "clientVersion");
  if (typeof cl !== "object" || cl === null)
    throw new RpcError(RpcCode.INVALID_PARAMS, "ClientVersionV1 expected");
  return [CLIENT_VERSION];
}

export function exchangeCapabilities(ours: readonly string[], params: readonly unknown[]): string[] {
  expectParams(params, 1);
  const theirs = param(params, 0, "capabilities");
  if (!Array.isArray(theirs) || !theirs.every((m) => typeof m === "string"))
    throw new RpcError(RpcCode.INVALID_PARAMS, "capabilities must be an array of method names");
  return ours.filter((m) => m !== "engine_exchangeCapabilities");
}

function body(engine: EngineState, hash: Uint8Array): unknown {
  // accepted blocks not yet persisted too
  const b = engine.chain.block(hash);
  if (b === undefined) return null;
  return {
    transactions: b.transactions.map(bytesToHex),
    withdrawals: b.withdrawals === undefined ? null : b.withdrawals.map(withdrawalToJson),
  };
}

export function bodiesByHash(engine: EngineState, params: readonly unknown[]): unknown[] {
  expectParams(params, 1);
  const hashes = param(params, 0, "blockHashes");
  if (!Array.isArray(hashes)) throw new RpcError(RpcCode.INVALID_PARAMS, "blockHashes must be an array");
  if (hashes.length > MAX_BODIES)
    throw new RpcError(RpcCode.TOO_LARGE_REQUEST, `more than ${MAX_BODIES} hashes`);
  return hashes.map((h, i) => body(engine, data32(h, `blockHashes[${i}]`)));
}

export function bodiesByRange(engine: EngineState, params: readonly unknown[]): unknown[] {
  expectParams(params, 2);
  const start = parseField("start", RpcCode.INVALID_PARAMS, () =>
    quantityToBigint(param(params, 0, "start") as string, 64),
  );
  const count = parseField("count", RpcCode.INVALID_PARAMS, () =>
    quantityToBigint(param(params, 1, "count") as string, 64),
  );
  if (start < 1n || count < 1n)
    throw new RpcError(RpcCode.INVALID_PARAMS, "start and count must be at least 1");
  if (count > BigInt(MAX_BODIES)) throw new RpcError(RpcCode.TOO_LARGE_REQUEST, `count above ${MAX_BODIES}`);
  const store = engine.chain.store;
  const headNumber = store.head().header.number;
  const out: unknown[] = [];
  // No trailing nulls past the head.
  for (let n = start; n < start + count && n <= headNumber; n++) {
    const hash = store.canonicalHash(n);
    out.push(hash === undefined ? null : body(engine, hash));
  }
  return out;
}

export function getBlobs(params: readonly unknown[]): null[] {
  expectParams(params, 1);
  const hashes = param(params, 0, "versionedHashes");
  if (!Array.isArray(hashes)) throw new RpcError(RpcCode.INVALID_PARAMS, "versionedHashes must be an array");
  if (hashes.length > MAX_BLOBS)
    throw new RpcError(RpcCode.TOO_LARGE_REQUEST, `more than ${MAX_BLOBS} hashes`);
  for (const [i, h] of hashes.entries()) data32(h, `versionedHashes[${i}]`);
  return hashes.map(() => null);
}
