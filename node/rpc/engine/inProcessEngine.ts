/**
 * The ExecutionEngine (node/core/wire/engine.ts) of an execution node in this process: direct typed calls
 * into the same engine core the JSON methods adapt (forkchoice.ts `applyForkchoice`, getPayload.ts
 * `builtPayload`, newPayload.ts `checkAndImport`) — no JSON encode or decode, and the payload getPayload
 * returns is recognised by identity at newPayload. Checks, counters and `fastevm_engine_*` metrics are the
 * JSON methods' own; a failure is the error object the JSON-RPC dispatcher would answer with
 * (`rpcErrorObject`), thrown as the HTTP client throws it (EngineRpcError: `meta.rpcCode`, `meta.cause`).
 */
import {
  type ExecutionPayload,
  payloadValueFromBlock,
  payloadValueToJson,
} from "../../core/block/payload.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import type {
  BuiltPayloadValue,
  ExecutionEngine,
  ExecutionPayloadValue,
  ForkchoiceState,
  ForkchoiceUpdated,
  HeadBlockValue,
  PayloadAttributes,
  PayloadStatus,
} from "../../core/wire/engine.ts";
import { rpcErrorObject } from "../jsonrpc.ts";
import { EngineRpcError } from "./client.ts";
import { forkchoiceStatus, measure } from "./engineApi.ts";
import type { EngineState } from "./engineState.ts";
import { applyForkchoice } from "./forkchoice.ts";
import { builtPayload } from "./getPayload.ts";
import { checkAndImport, type PayloadStatusV1, servedJson } from "./newPayload.ts";

/** A JSON-shaped status (the core's) as values. */
export function payloadStatusValue(s: PayloadStatusV1): PayloadStatus {
  return {
    status: s.status,
    latestValidHash: s.latestValidHash === null ? null : hexToBytes(s.latestValidHash, 32),
    validationError: s.validationError,
  };
}

function shapeOf(p: ExecutionPayloadValue): 1 | 2 | 3 {
  if (p.blobGasUsed !== undefined || p.excessBlobGas !== undefined) return 3;
  return p.withdrawals !== undefined ? 2 : 1;
}

export class InProcessEngine implements ExecutionEngine {
  constructor(readonly engine: EngineState) {}

  /** `run`, failing as the JSON-RPC answer to it would. */
  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      const o = rpcErrorObject(e, this.engine.log);
      const cause = (o.data as { err?: unknown } | null)?.err;
      throw new EngineRpcError(o.code, o.message, typeof cause === "string" ? cause : undefined);
    }
  }

  forkchoiceUpdated(state: ForkchoiceState, attributes?: PayloadAttributes): Promise<ForkchoiceUpdated> {
    const engine = this.engine;
    return this.#call(async () => {
      const r = await measure(
        engine,
        "forkchoiceUpdated",
        () => applyForkchoice(engine, 3, state, attributes === undefined ? undefined : () => attributes),
        (x) => forkchoiceStatus(engine, x.payloadStatus.status),
      );
      return { payloadStatus: payloadStatusValue(r.payloadStatus), payloadId: r.payloadId };
    });
  }

  getPayload(payloadId: string): Promise<BuiltPayloadValue> {
    const engine = this.engine;
    return this.#call(() =>
      measure(
        engine,
        "getPayload",
        async () => {
          const built = await builtPayload(engine, 3, payloadId);
          const payload = payloadValueFromBlock(built.block);
          // its newPayload is then recognised by identity: no second decode, transactions root, block hash
          engine.addServed(bytesToHex(payload.blockHash), { value: payload, block: built.block });
          return { payload, blockValue: built.blockValue };
        },
        () => "ok",
      ),
    );
  }

  newPayload(
    payload: ExecutionPayloadValue,
    versionedHashes: readonly Uint8Array[],
    parentBeaconBlockRoot: Uint8Array,
  ): Promise<PayloadStatus> {
    const engine = this.engine;
    let json: ExecutionPayload | undefined;
    const asJson = () => {
      json ??= payloadValueToJson(payload);
      return json;
    };
    return this.#call(async () => {
      const r = await measure(
        engine,
        "newPayload",
        () =>
          checkAndImport(engine, 3, {
            shape: shapeOf(payload),
            timestamp: payload.timestamp,
            blockHash: bytesToHex(payload.blockHash),
            parentHash: bytesToHex(payload.parentHash),
            expectedBlobHashes: versionedHashes,
            beaconRoot: parentBeaconBlockRoot,
            // the value getPayload returned, or a copy equal field for field
            isServed: (s) =>
              s.value === payload || JSON.stringify(servedJson(s)) === JSON.stringify(asJson()),
            json: asJson,
            transactions: () => payload.transactions,
          }),
        (x) => x.status,
      );
      return payloadStatusValue(r);
    });
  }

  async headBlock(): Promise<HeadBlockValue | null> {
    const { hash, header } = this.engine.chain.head();
    return {
      hash,
      number: header.number,
      timestamp: header.timestamp,
      gasLimit: header.gasLimit,
      extraData: header.extraData,
      prevRandao: header.mixHash,
    };
  }
}
