/**
 * The execution-apis rpc-compat recordings (made against geth) for the state and execution methods,
 * replayed through the JSON-RPC dispatcher against the test chain imported into a fresh datadir, with a
 * real execute pool: results must equal geth's exactly; for errors, the presence of an error and its code.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutePool } from "../../../../../node/pool/executePool.ts";
import { RecoverPool } from "../../../../../node/pool/recoverPool.ts";
import { stateMethods } from "../../../../../node/rpc/eth/state.ts";
import { JsonRpcDispatcher } from "../../../../../node/rpc/jsonrpc.ts";
import {
  type CompatChain,
  type IoCase,
  importCompatChain,
  ioCases,
  RPC_COMPAT_DIR,
  testResolveBlock,
} from "../../../../utils/rpcCompat.ts";

const METHODS = [
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getTransactionCount",
  "eth_getProof",
  "eth_call",
  "eth_estimateGas",
  "eth_createAccessList",
];

const cases: IoCase[] = METHODS.flatMap((m) => (existsSync(join(RPC_COMPAT_DIR, m)) ? ioCases(m) : []));

let recover: RecoverPool;
let execute: ExecutePool;
let compat: CompatChain;
let dispatcher: JsonRpcDispatcher;

beforeAll(async () => {
  recover = new RecoverPool({ threads: 1 });
  execute = new ExecutePool({ threads: 1 });
  compat = await importCompatChain({
    recover: (txs, chainId) => (txs.length === 0 ? Promise.resolve([]) : recover.recover(txs, chainId)),
    execute: (t) => execute.execute(t),
  });
  const methods = stateMethods({
    chain: compat.chain,
    resolveBlock: testResolveBlock(compat.chain),
    exec: execute,
  });
  dispatcher = new JsonRpcDispatcher(methods, { log: () => {} });
}, 120_000);

afterAll(async () => {
  await compat?.close();
  await Promise.all([recover?.close(), execute?.close()]);
});

describe("rpc-compat: state and execution methods", () => {
  it("finds every recorded case of these methods", () => {
    // eth_getBalance 2, eth_getStorageAt 1, eth_getTransactionCount 1, eth_getProof 3, eth_call 2,
    // eth_estimateGas 2, eth_createAccessList 2 (no eth_getCode recordings in this set)
    expect(cases.length).toBe(13);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const got = JSON.parse((await dispatcher.handle(c.request))!);
    const want = JSON.parse(c.response);
    if ("error" in want) {
      expect(got.error, JSON.stringify(got)).toBeDefined();
      expect(got.error.code).toBe(want.error.code);
    } else {
      expect(got.error, JSON.stringify(got.error)).toBeUndefined();
      expect(got.result).toEqual(want.result);
    }
  });
});
