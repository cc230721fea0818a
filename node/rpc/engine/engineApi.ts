/**
 * The Engine API's method table: every engine_ method (V1–V3), bound to one EngineState, and the eth_ subset
 * taken from the public method table `eth` (node/rpc/eth/methods.ts publicMethods). newPayload,
 * forkchoiceUpdated and getPayload are timed and counted by status (`engine.metrics`), and the latest
 * forkchoiceUpdated is remembered (`engine.lastForkchoice`, for readiness).
 */
import type { RpcHandler, RpcMethods } from "../jsonrpc.ts";
import type { EngineState } from "./engineState.ts";
import { ethMethods } from "./ethSubset.ts";
import { forkchoiceUpdated } from "./forkchoice.ts";
import { getPayload } from "./getPayload.ts";
import { bodiesByHash, bodiesByRange, clientVersion, exchangeCapabilities, getBlobs } from "./info.ts";
import { newPayload } from "./newPayload.ts";

/**
 * `run` timed into `fastevm_engine_request_seconds` and counted by the status `statusOf` reads (or "error"):
 * the JSON methods and the in-process engine measure the same way.
 */
export async function measure<R>(
  engine: EngineState,
  method: "newPayload" | "forkchoiceUpdated" | "getPayload",
  run: () => Promise<R>,
  statusOf: (r: R) => string,
): Promise<R> {
  const m = engine.metrics;
  const t0 = performance.now();
  let status = "error";
  try {
    const r = await run();
    status = statusOf(r);
    return r;
  } finally {
    if (m !== undefined) {
      m.requestTime.observe({ method }, (performance.now() - t0) / 1000);
      m.requests.inc({ method, status });
    }
  }
}

/** forkchoiceUpdated's status, remembering the call for readiness (`engine.lastForkchoice`). */
export function forkchoiceStatus(engine: EngineState, status: string): string {
  engine.lastForkchoice = { atMs: engine.clock(), status };
  return status;
}

function measured<R>(
  engine: EngineState,
  method: "newPayload" | "forkchoiceUpdated" | "getPayload",
  call: (params: readonly unknown[]) => Promise<R>,
  statusOf: (r: R) => string,
): RpcHandler {
  return (params) => measure(engine, method, () => call(params), statusOf);
}

export function engineMethods(engine: EngineState, eth: RpcMethods): RpcMethods {
  const m = new Map<string, RpcHandler>();
  for (const v of [1, 2, 3] as const) {
    m.set(
      `engine_newPayloadV${v}`,
      measured(
        engine,
        "newPayload",
        (p) => newPayload(engine, v, p),
        (r) => r.status,
      ),
    );
    m.set(
      `engine_forkchoiceUpdatedV${v}`,
      measured(
        engine,
        "forkchoiceUpdated",
        (p) => forkchoiceUpdated(engine, v, p),
        (r) => forkchoiceStatus(engine, r.payloadStatus.status),
      ),
    );
    m.set(
      `engine_getPayloadV${v}`,
      measured(
        engine,
        "getPayload",
        (p) => getPayload(engine, v, p),
        () => "ok",
      ),
    );
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
