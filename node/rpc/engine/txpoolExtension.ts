/**
 * FastEVM Engine API extension for a consensus client in another process (`fastevm consensus
 * --execution-url`): `fastevm_txpoolSelectV1({maxCount, maxBytes, maxGas})` answers the best executable
 * transactions of the execution node's pool for one DAG block, as raw 0x-hex, and marks them proposed
 * (in flight) exactly as an in-process proposal does. JWT-protected like every Engine API method.
 */
import { bytesToHex } from "../../core/hex.ts";
import { TXPOOL_SELECT_METHOD, type TxPoolSelectResult } from "../../core/wire/txpool.ts";
import type { TxSource } from "../../txpool/source.ts";
import type { RpcHandler, RpcMethods } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";

/** The caps a caller may ask for (a DAG block's own limits are below these). */
const MAX_COUNT = 10_000;
const MAX_BYTES = 16 * 1024 * 1024;

function quantity(v: unknown, name: string, max: bigint): bigint {
  if (typeof v !== "string" || !/^0x(0|[1-9a-f][0-9a-f]*)$/.test(v))
    throw new RpcError(RpcCode.INVALID_PARAMS, `${name}: expected a quantity`);
  const n = BigInt(v);
  if (n > max) throw new RpcError(RpcCode.INVALID_PARAMS, `${name}: above ${max}`);
  return n;
}

export function txpoolEngineMethods(source: TxSource): RpcMethods {
  const select: RpcHandler = (params): TxPoolSelectResult => {
    const p = params[0];
    if (typeof p !== "object" || p === null)
      throw new RpcError(RpcCode.INVALID_PARAMS, "expected {maxCount, maxBytes, maxGas}");
    const o = p as Record<string, unknown>;
    const txs = source.select({
      maxCount: Number(quantity(o.maxCount, "maxCount", BigInt(MAX_COUNT))),
      maxBytes: Number(quantity(o.maxBytes, "maxBytes", BigInt(MAX_BYTES))),
      maxGas: quantity(o.maxGas, "maxGas", 1n << 63n),
    });
    return txs.map((t) => bytesToHex(t));
  };
  return new Map([[TXPOOL_SELECT_METHOD, select]]);
}
