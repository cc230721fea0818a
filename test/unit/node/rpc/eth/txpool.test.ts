/**
 * The txpool's public methods on a real chain and pool service (LMDB, the recover and execute pools):
 * eth_sendRawTransaction into the pool, txpool_status, and eth_getTransactionByHash of a transaction still
 * in the pool (pending or queued) — geth looks there after the chain, answering a pending RPCTransaction
 * with null block fields (viem's getTransaction of a just-sent transaction needs it) — then of the same
 * transaction once mined.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../../../node/chain/chain.ts";
import { DEV_CHAIN_ID } from "../../../../../node/chain/chainGenerator.ts";
import { type ChainPools, startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { cachedWorkers, type NodeTxPool, startNodeTxPool } from "../../../../../node/cli/txpoolSetup.ts";
import { headerHash } from "../../../../../node/core/block/header.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { SenderCache } from "../../../../../node/core/tx/senderCache.ts";
import { createRpcContext } from "../../../../../node/rpc/eth/context.ts";
import { type PublicApi, publicMethods } from "../../../../../node/rpc/eth/methods.ts";
import { txpoolMethods } from "../../../../../node/rpc/eth/txpool.ts";
import { ADDRESSES, type DevChain, devTx, openDevChain } from "../../../../utils/devChain.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

let pools: ChainPools;
let dev: DevChain;
let chain: Chain;
let txpool: NodeTxPool;
let api: PublicApi;
const dir = tempDir("fastevm-rpc-txpool-");
const to = ADDRESSES[7]!;

beforeAll(async () => {
  pools = startChainPools();
  dev = await openDevChain(pools);
  const senders = new SenderCache();
  chain = new Chain(dev.storage, cachedWorkers(pools, DEV_CHAIN_ID, senders));
  txpool = await startNodeTxPool({
    chain,
    workers: pools,
    senders,
    datadir: join(dir.path, "node"),
    config: {},
    journal: false,
    log: () => {},
  });
  const ctx = createRpcContext(chain, pools.recover, { pool: txpool.service });
  api = publicMethods(ctx, txpoolMethods(txpool.service));
});
afterAll(async () => {
  api?.close();
  await txpool?.close();
  await dev?.close();
  await pools?.close();
  dir.remove();
});

const call = (method: string, params: unknown[]) => api.methods.get(method)!(params, {});

describe("txpool methods", () => {
  it("eth_getTransactionByHash finds a pool transaction (pending or queued), then the mined one", async () => {
    const pending = devTx(0, 0n, to, 1n);
    const queued = devTx(0, 2n, to, 1n);
    const ph = (await call("eth_sendRawTransaction", [bytesToHex(pending)])) as string;
    const qh = (await call("eth_sendRawTransaction", [bytesToHex(queued)])) as string;
    expect(await call("txpool_status", [])).toEqual({ pending: "0x1", queued: "0x1" });

    for (const [hash, nonce] of [
      [ph, "0x0"],
      [qh, "0x2"],
    ] as const) {
      expect(await call("eth_getTransactionByHash", [hash])).toMatchObject({
        hash,
        nonce,
        from: bytesToHex(ADDRESSES[0]!),
        to: bytesToHex(to),
        blockHash: null,
        blockNumber: null,
        transactionIndex: null,
        // pending: the fee cap, as geth's NewRPCPendingTransaction
        gasPrice: "0x174876e800",
        type: "0x2",
      });
    }
    expect(await call("eth_getTransactionByHash", [`0x${"ab".repeat(32)}`])).toBeNull();

    // mined: the chain's answer, with its block
    const block = await chain.buildBlock([pending], { timestamp: 12n });
    await chain.importBlock(block);
    await txpool.service.settled();
    expect(await call("txpool_status", [])).toEqual({ pending: "0x0", queued: "0x1" });
    expect(await call("eth_getTransactionByHash", [ph])).toMatchObject({
      hash: ph,
      blockHash: bytesToHex(headerHash(block.header)),
      blockNumber: "0x1",
      transactionIndex: "0x0",
    });
  });
});
