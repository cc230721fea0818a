/**
 * The Engine API's method table: every engine_ method (V1–V3), bound to one EngineState, and the eth_ subset
 * taken from the public method table `eth` (node/rpc/eth/methods.ts publicMethods).
 */
import type { RpcHandler, RpcMethods } from "../jsonrpc.ts";
import type { EngineState } from "./engineState.ts";
import { ethMethods } from "./ethSubset.ts";
import { forkchoiceUpdated } from "./forkchoice.ts";
import { getPayload } from "./getPayload.ts";
import { bodiesByHash, bodiesByRange, clientVersion, exchangeCapabilities, getBlobs } from "./info.ts";
import { newPayload } from "./newPayload.ts";

export function engineMethods(engine: EngineState, eth: RpcMethods): RpcMethods {
  const m = new Map<string, RpcHandler>();
  for (const v of [1, 2, 3] as const) {
    m.set(`engine_newPayloadV${v}`, (p) => newPayload(engine, v, p));
    m.set(`engine_forkchoiceUpdatedV${v}`, (p) => forkchoiceUpdated(engine, v, p));
    m.set(`engine_getPayloadV${v}`, (p) => getPayload(engine, v, p));
  }
  m.set("engine_getPayloadBodiesByHashV1", (p) => bodiesByHash(engine, p));
  m.set("engine_getPayloadBodiesByRangeV1", (p) => bodiesByRange(engine, p));
  m.set("engine_getBlobsV1", (p) => getBlobs(p));
  m.set("engine_getClientVersionV1", (p) => clientVersion(p));
  const engineNames = () => [...m.keys()].filter((k) => k.startsWith("engine_"));
  m.set("engine_exchangeCapabilities", (p) => exchangeCapabilities(engineNames(), p));
  for (const [name, h] of ethMethods(engine, eth)) m.set(name, h);
  return m;
}
