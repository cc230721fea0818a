/**
 * The Engine API does each job once, read from the chain's prom-client metrics: forkchoiceUpdated with
 * attributes builds (one build execution), and the newPayloadV3 of that payload executes nothing, looks
 * up no sender and is not checked again (a copy changed in any field is) — the block is stored, readable by hash (eth_getBlockByHash, its receipts), with the
 * head where it was until forkchoiceUpdatedV3 moves it; a payload built by another node is executed once.
 */
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { createMetrics, type Metrics } from "../../../../../node/metrics/metrics.ts";
import { createRpcContext } from "../../../../../node/rpc/eth/context.ts";
import { type PublicApi, publicMethods } from "../../../../../node/rpc/eth/methods.ts";
import { ADDRESSES, devTx, dumpFlatState } from "../../../../utils/devChain.ts";
import {
  buildOn,
  closePayloadPool,
  type EngineHarness,
  fcState,
  openEngine,
  ZERO32,
} from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let local: EngineHarness;
let remote: EngineHarness;
let metrics: Metrics;
let api: PublicApi;
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
const rpc = async (method: string, params: unknown[]): Promise<any> => api.methods.get(method)!(params, {});

async function count(m: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = metric?.values.find((s) => Object.entries(labels).every(([k, x]) => s.labels[k] === x));
  return Number(v?.value ?? 0);
}

const executions = (mode: string) => count(metrics, "fastevm_chain_block_executions_total", { mode });

beforeAll(async () => {
  metrics = createMetrics(new Registry());
  local = await openEngine(pools, 64, { metrics: metrics.chain });
  remote = await openEngine(pools);
  api = publicMethods(createRpcContext(local.dev.chain, pools.recover));
});
afterAll(async () => {
  api.close();
  await local.close();
  await remote.close();
  await pools.close();
  await closePayloadPool();
});

const TXS = [devTx(0, 0n, ADDRESSES[1]!, 1000n), devTx(1, 0n, ADDRESSES[2]!, 5n, true)].map(bytesToHex);

describe("engine: each block executed once", () => {
  it("newPayloadV3 of a locally built payload executes nothing and looks up no sender", async () => {
    const genesis = local.headHash();
    const payload = await buildOn(local, genesis, 12, { transactions: TXS, noTxPool: true });
    expect(await executions("build")).toBe(1);
    const flat = dumpFlatState(local.dev.storage);

    // the served payload changed in one field (same blockHash): the full check refuses it
    const checks = local.engine.counters.payloadChecks;
    const tampered = { ...payload, extraData: "0x01" };
    const bad = await local.ok("engine_newPayloadV3", [tampered, [], ZERO32]);
    expect(bad.status).toBe("INVALID");
    expect(local.engine.counters.payloadChecks).toBe(checks + 1);
    // and with another beacon root
    const badRoot = await local.ok("engine_newPayloadV3", [payload, [], `0x${"11".repeat(32)}`]);
    expect(badRoot.status).toBe("INVALID");
    expect(local.engine.counters.payloadChecks).toBe(checks + 2);

    // the payload as served: no second check (decode, transactions root, block hash) and no execution
    const st = await local.ok("engine_newPayloadV3", [payload, [], ZERO32]);
    expect(st).toMatchObject({ status: "VALID", latestValidHash: payload.blockHash });
    expect(local.engine.counters.payloadChecks).toBe(checks + 2);
    expect(await executions("verify")).toBe(0);
    expect(await executions("build")).toBe(1);
    expect(await count(metrics, "fastevm_chain_sender_lookups_total")).toBe(0);
    expect(await count(metrics, "fastevm_chain_executed_block_hits_total")).toBe(1);
    expect(await count(metrics, "fastevm_chain_blocks_imported_total")).toBe(1);

    // stored, readable by hash, and the head (flat state included) still where forkchoiceUpdated left it
    expect(local.headHash()).toBe(genesis);
    expect(dumpFlatState(local.dev.storage)).toEqual(flat);
    const byHash = await rpc("eth_getBlockByHash", [payload.blockHash, false]);
    expect(byHash).toMatchObject({ hash: payload.blockHash, stateRoot: payload.stateRoot });
    expect(byHash.transactions).toHaveLength(2);
    const receipts = await rpc("eth_getBlockReceipts", [payload.blockHash]);
    expect(receipts.map((r: { status: string }) => r.status)).toEqual(["0x1", "0x1"]);
    // not canonical yet: the tx index does not point at it
    expect(await rpc("eth_getTransactionByHash", [bytesToHex(keccak256(hexToBytes(TXS[0]!)))])).toBeNull();

    const fcu = await local.ok("engine_forkchoiceUpdatedV3", [fcState(payload.blockHash)]);
    expect(fcu.payloadStatus.status).toBe("VALID");
    expect(local.headHash()).toBe(payload.blockHash);
    expect(local.dev.chain.work.txHashFallbacks).toBe(0);
    const tx = await rpc("eth_getTransactionByHash", [bytesToHex(keccak256(hexToBytes(TXS[0]!)))]);
    expect(tx).toMatchObject({ blockHash: payload.blockHash, transactionIndex: "0x0" });
    const receipt = await rpc("eth_getTransactionReceipt", [tx.hash]);
    expect(receipt).toMatchObject({ status: "0x1", blockHash: payload.blockHash });
    expect(await executions("verify")).toBe(0);

    // the other node never built it: it executes it once, to the same state
    const r = await remote.ok("engine_newPayloadV3", [payload, [], ZERO32]);
    expect(r.status).toBe("VALID");
    expect(remote.engine.counters.payloadChecks).toBe(1);
    expect(remote.dev.chain.work).toMatchObject({ verifyExecutions: 1, senderLookups: 2, executedHits: 0 });
    await remote.ok("engine_forkchoiceUpdatedV3", [fcState(payload.blockHash)]);
    expect(dumpFlatState(remote.dev.storage)).toEqual(dumpFlatState(local.dev.storage));
  });

  it("a payload of the locally built chain replayed (known) is VALID without work", async () => {
    const head = local.headHash();
    const p = await buildOn(local, head, 24, { noTxPool: true });
    await local.ok("engine_newPayloadV3", [p, [], ZERO32]);
    expect(await local.ok("engine_newPayloadV3", [p, [], ZERO32])).toMatchObject({ status: "VALID" });
    expect(await executions("verify")).toBe(0);
    expect(await executions("build")).toBe(2);
  });
});
