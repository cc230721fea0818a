/**
 * The `eth_` methods the Engine API port serves beside `engine_` (execution-apis common.md), and two raw
 * block reads: the public API's own handlers (node/rpc/eth/), picked by name. eth_getCode falls back to a head-only read until the
 * state methods' map supplies it; eth_call and eth_sendRawTransaction appear once their maps are merged
 * into the public table (the state helper, the txpool), answering -32601 until then.
 */
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import type { RpcHandler, RpcMethods } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { EngineState } from "./engineState.ts";
import { parseField } from "./validate.ts";

/** common.md: the eth_ methods an Engine API endpoint MUST also serve. */
export const ENGINE_ETH_SUBSET: readonly string[] = [
  "eth_blockNumber",
  "eth_call",
  "eth_chainId",
  "eth_getCode",
  "eth_getBlockByHash",
  "eth_getBlockByNumber",
  "eth_getLogs",
  "eth_sendRawTransaction",
  "eth_syncing",
];

/**
 * FastEVM's additions behind the same JWT: raw headers and blocks (geth's debug_ names), which a split
 * validator's consensus process reads to serve block sync from its execution node
 * (node/sync/engineSyncChain.ts).
 */
export const ENGINE_SYNC_READS: readonly string[] = ["debug_getRawHeader", "debug_getRawBlock"];

/** Placeholder eth_getCode at the head (flat state), replaced by the state methods' handler when merged. */
function headGetCode(engine: EngineState): RpcHandler {
  const store = engine.chain.store;
  return (p) => {
    const address = parseField("address", RpcCode.INVALID_PARAMS, () => hexToBytes(p[0] as string, 20));
    if (p[1] !== undefined && p[1] !== "latest" && p[1] !== "pending")
      throw new RpcError(RpcCode.SERVER_ERROR, "only the head state is served");
    const account = store.account(address);
    if (account === undefined) return "0x";
    return bytesToHex(store.code(account.codeHash) ?? new Uint8Array(0));
  };
}

/** The subset and the sync reads, taken from the public method table `eth`. */
export function ethMethods(engine: EngineState, eth: RpcMethods): [string, RpcHandler][] {
  const out: [string, RpcHandler][] = [];
  for (const name of [...ENGINE_ETH_SUBSET, ...ENGINE_SYNC_READS]) {
    const h = eth.get(name) ?? (name === "eth_getCode" ? headGetCode(engine) : undefined);
    if (h !== undefined) out.push([name, h]);
  }
  return out;
}
