/**
 * An in-process Engine API over a real dev chain (temp LMDB datadir, real recover/execute pools): calls go
 * through the JSON-RPC dispatcher, so tests see the exact error codes a remote client would; `typed` is the
 * in-process ExecutionEngine over the same engine.
 */
import { DEFAULT_MAX_REORG_DEPTH } from "../../node/chain/blockPath.ts";
import type { ChainOptions, ChainWorkers } from "../../node/chain/chain.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { PayloadPool } from "../../node/pool/payloadPool.ts";
import { engineMethods } from "../../node/rpc/engine/engineApi.ts";
import { EngineState } from "../../node/rpc/engine/engineState.ts";
import { InProcessEngine } from "../../node/rpc/engine/inProcessEngine.ts";
import { PayloadBuilder, type SkippedTx } from "../../node/rpc/engine/payloadBuilder.ts";
import { createRpcContext } from "../../node/rpc/eth/context.ts";
import { publicMethods } from "../../node/rpc/eth/methods.ts";
import { JsonRpcDispatcher } from "../../node/rpc/jsonrpc.ts";
import { type DevChain, openDevChain } from "./devChain.ts";

/** Untyped JSON results: tests assert on their fields directly. */
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field by the tests
export type Json = any;

export const ZERO32 = `0x${"00".repeat(32)}`;
export const FEE_RECIPIENT = `0x${"11".repeat(20)}`;

export interface RpcAnswer {
  readonly result?: Json;
  readonly error?: { code: number; message: string; data: unknown };
}

export interface EngineHarness {
  readonly dev: DevChain;
  readonly engine: EngineState;
  /** the typed in-process ExecutionEngine over the same EngineState */
  readonly typed: InProcessEngine;
  /** the JSON-RPC dispatcher `call` goes through (to serve it over HTTP) */
  readonly dispatcher: JsonRpcDispatcher;
  readonly skipped: SkippedTx[];
  call(method: string, params?: unknown[]): Promise<RpcAnswer>;
  /** the result, or throws with the error code in the message */
  ok(method: string, params?: unknown[]): Promise<Json>;
  headHash(): string;
  close(): Promise<void>;
}

/** One payload pool for every harness of a test file (closed with `closePayloadPool`). */
let payloadPool: PayloadPool | undefined;
export function sharedPayloadPool(): PayloadPool {
  payloadPool ??= new PayloadPool();
  return payloadPool;
}
export async function closePayloadPool(): Promise<void> {
  await payloadPool?.close();
  payloadPool = undefined;
}

export async function openEngine(
  workers: ChainWorkers,
  maxReorgDepth = DEFAULT_MAX_REORG_DEPTH,
  chainOpts: ChainOptions = {},
): Promise<EngineHarness> {
  const dev = await openDevChain(workers, chainOpts);
  const skipped: SkippedTx[] = [];
  const builder = new PayloadBuilder(dev.chain, undefined, (s) => skipped.push(s));
  const pool = sharedPayloadPool();
  const engine = new EngineState(dev.chain, builder, (t) => pool.check(t), { maxReorgDepth, log: () => {} });
  const api = publicMethods(createRpcContext(dev.chain, workers.recover));
  const dispatcher = new JsonRpcDispatcher(engineMethods(engine, api.methods), { log: () => {} });
  let id = 0;
  const call = async (method: string, params: unknown[] = []): Promise<RpcAnswer> => {
    const out = await dispatcher.handle(JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }));
    return JSON.parse(out!) as RpcAnswer;
  };
  return {
    dev,
    engine,
    typed: new InProcessEngine(engine),
    dispatcher,
    skipped,
    call,
    async ok(method, params = []) {
      const r = await call(method, params);
      if (r.error !== undefined) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      // The engine's calls leave their LMDB writes to the chain's background writer; the public reads these
      // tests make next see the persisted chain, so wait for it (test/unit/node/chain/backgroundWrites.test.ts
      // shows the calls themselves write nothing).
      if (method.startsWith("engine_")) await dev.chain.persisted();
      return r.result;
    },
    headHash: () => bytesToHex(dev.chain.head().hash),
    async close() {
      await engine.lock.run(() => undefined);
      await dev.chain.persisted();
      api.close();
      await dev.close();
    },
  };
}

export function fcState(head: string, safe = ZERO32, finalized = ZERO32) {
  return { headBlockHash: head, safeBlockHash: safe, finalizedBlockHash: finalized };
}

export function attrsV3(timestamp: number, extra: Record<string, unknown> = {}) {
  return {
    timestamp: `0x${timestamp.toString(16)}`,
    prevRandao: ZERO32,
    suggestedFeeRecipient: FEE_RECIPIENT,
    withdrawals: [],
    parentBeaconBlockRoot: ZERO32,
    ...extra,
  };
}

/** forkchoiceUpdatedV3 to `parent` with attributes, then getPayloadV3: the built payload (not imported). */
export async function buildOn(
  h: EngineHarness,
  parent: string,
  timestamp: number,
  extra: Record<string, unknown> = {},
): Promise<Json> {
  const fcu = await h.ok("engine_forkchoiceUpdatedV3", [fcState(parent), attrsV3(timestamp, extra)]);
  const got = await h.ok("engine_getPayloadV3", [fcu.payloadId]);
  return got.executionPayload;
}

/** Builds on `parent`, then newPayloadV3 + forkchoiceUpdatedV3 to it: the new head's hash. */
export async function extend(
  h: EngineHarness,
  parent: string,
  timestamp: number,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const p = await buildOn(h, parent, timestamp, extra);
  const st = await h.ok("engine_newPayloadV3", [p, [], ZERO32]);
  if (st.status !== "VALID") throw new Error(`newPayload: ${JSON.stringify(st)}`);
  await h.ok("engine_forkchoiceUpdatedV3", [fcState(p.blockHash)]);
  return p.blockHash;
}
