/**
 * The public state and execution methods over a real dev chain (temp LMDB datadir, real recover and execute
 * pools), called through the JSON-RPC dispatcher so tests see the exact codes a client would.
 */
import { ExecutePool } from "../../node/pool/executePool.ts";
import { RecoverPool } from "../../node/pool/recoverPool.ts";
import { stateMethods } from "../../node/rpc/eth/state.ts";
import type { StateRpcContext } from "../../node/rpc/eth/stateContext.ts";
import { JsonRpcDispatcher } from "../../node/rpc/jsonrpc.ts";
import { type DevChain, openDevChain } from "./devChain.ts";
import type { Json, RpcAnswer } from "./engineHarness.ts";
import { testResolveBlock } from "./rpcCompat.ts";

export interface StateRpc {
  readonly dev: DevChain;
  readonly execute: ExecutePool;
  /** a dispatcher over the same chain and pool with other context options (limits, seams) */
  withContext(extra: Partial<Omit<StateRpcContext, "chain" | "exec">>): RpcCaller;
  call(method: string, params?: unknown[]): Promise<RpcAnswer>;
  ok(method: string, params?: unknown[]): Promise<Json>;
  /** imports a block of these raw transactions on the head */
  mine(rawTxs: readonly Uint8Array[]): Promise<void>;
  close(): Promise<void>;
}

export interface RpcCaller {
  call(method: string, params?: unknown[]): Promise<RpcAnswer>;
  ok(method: string, params?: unknown[]): Promise<Json>;
}

function caller(dispatcher: JsonRpcDispatcher): RpcCaller {
  let id = 0;
  const call = async (method: string, params: unknown[] = []): Promise<RpcAnswer> => {
    const text = await dispatcher.handle(JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }));
    return JSON.parse(text!) as RpcAnswer;
  };
  return {
    call,
    async ok(method, params) {
      const r = await call(method, params);
      if (r.error !== undefined) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      return r.result;
    },
  };
}

export async function openStateRpc(
  extra: Partial<Omit<StateRpcContext, "chain" | "exec">> = {},
): Promise<StateRpc> {
  const recover = new RecoverPool({ threads: 1 });
  const execute = new ExecutePool({ threads: 1 });
  const dev = await openDevChain({
    recover: (txs, chainId) => (txs.length === 0 ? Promise.resolve([]) : recover.recover(txs, chainId)),
    execute: (t) => execute.execute(t),
  });
  const make = (more: Partial<Omit<StateRpcContext, "chain" | "exec">>): RpcCaller =>
    caller(
      new JsonRpcDispatcher(
        stateMethods({ chain: dev.chain, resolveBlock: testResolveBlock(dev.chain), exec: execute, ...more }),
        { log: () => {} },
      ),
    );
  const main = make(extra);
  return {
    dev,
    execute,
    withContext: (more) => make({ ...extra, ...more }),
    call: main.call,
    ok: main.ok,
    async mine(rawTxs) {
      await dev.chain.importBlock(await dev.chain.buildBlock(rawTxs));
    },
    async close() {
      await dev.close();
      await Promise.all([recover.close(), execute.close()]);
    },
  };
}
