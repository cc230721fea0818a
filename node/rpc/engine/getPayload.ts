/**
 * engine_getPayloadV1/V2/V3: the block built for a payloadId. The id's first byte is the version of the
 * forkchoiceUpdated that started the build (payloadId in forkchoice.ts), checked first (-38005), then the id
 * itself (-38001), then the built payload's fork against the method's window (-38005).
 */
import { blockToPayload } from "../../core/block/payload.ts";
import { isCancun, isShanghai } from "../../core/chain/chainConfig.ts";
import { bigintToQuantity, hexToBytes } from "../../core/hex.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { EngineState } from "./engineState.ts";
import type { BuiltPayload } from "./payloadBuilder.ts";
import { expectParams, param, parseField } from "./validate.ts";

/** engine_getPayloadVn over JSON: the payload as JSON, remembered as served for its newPayload. */
export async function getPayload(
  engine: EngineState,
  version: 1 | 2 | 3,
  params: readonly unknown[],
): Promise<unknown> {
  expectParams(params, 1);
  const built = await builtPayload(engine, version, param(params, 0, "payloadId"));
  const executionPayload = blockToPayload(built.block);
  // its newPayload (the driver's next call) then needs no second decode, transactions root and block hash
  engine.addServed(executionPayload.blockHash.toLowerCase(), { json: executionPayload, block: built.block });
  if (version === 1) return executionPayload;
  const blockValue = bigintToQuantity(built.blockValue);
  if (version === 2) return { executionPayload, blockValue };
  return {
    executionPayload,
    blockValue,
    // Blob transactions are never built into payloads here (no sidecars), so the bundle is always empty.
    blobsBundle: { commitments: [], proofs: [], blobs: [] },
    shouldOverrideBuilder: false,
  };
}

/**
 * The build a payloadId names, after getPayloadVn's checks, for the JSON method and the in-process engine
 * alike: the id's version byte (-38005), the id (-32602 malformed, -38001 unknown), the fork window (-38005).
 */
export async function builtPayload(
  engine: EngineState,
  version: 1 | 2 | 3,
  raw: unknown,
): Promise<BuiltPayload> {
  const idBytes = parseField("payloadId", RpcCode.INVALID_PARAMS, () => hexToBytes(raw as string, 8));
  const id = (raw as string).toLowerCase();
  const pending = engine.payloads.get(id);
  if (pending === undefined) {
    if (idBytes[0] !== undefined && idBytes[0] >= 1 && idBytes[0] <= 3 && idBytes[0] !== version)
      throw new RpcError(RpcCode.UNSUPPORTED_FORK, `payload ${id} was not built for getPayloadV${version}`);
    throw new RpcError(RpcCode.UNKNOWN_PAYLOAD);
  }
  const config = engine.chain.config;
  const cancun = isCancun(config, pending.timestamp);
  const shanghai = isShanghai(config, pending.timestamp);
  if ((version === 3 && !cancun) || (version === 2 && cancun) || (version === 1 && shanghai))
    throw new RpcError(
      RpcCode.UNSUPPORTED_FORK,
      `getPayloadV${version} cannot serve a payload at timestamp ${pending.timestamp}`,
    );
  return pending.result;
}
