/**
 * eth_getLogs (node/rpc/eth/logs.ts), through the Engine API port's eth_ subset (the same handler as the
 * public port): range and blockHash queries, address and positional topic filters, geth's range errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRANSFER_TOPIC } from "../../../../../node/chain/devToken.ts";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { ADDRESSES, devTx, TOKEN } from "../../../../utils/devChain.ts";
import { closePayloadPool, type EngineHarness, extend, openEngine } from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let h: EngineHarness;
let b1: string;
const to = new Uint8Array(20).fill(3);
const topicOf = (a: Uint8Array) => `0x${bytesToHex(a).slice(2).padStart(64, "0")}`;

beforeAll(async () => {
  h = await openEngine(pools);
  const txs = [devTx(0, 0n, to, 5n, true), devTx(1, 0n, to, 1n), devTx(2, 0n, to, 6n, true)].map(bytesToHex);
  b1 = await extend(h, h.headHash(), 12, { transactions: txs, noTxPool: true });
  await extend(h, b1, 24);
});
afterAll(async () => {
  await h.close();
  await pools.close();
  await closePayloadPool();
});

describe("eth_getLogs", () => {
  it("returns the token's Transfer logs with their positions", async () => {
    const logs = await h.ok("eth_getLogs", [
      { fromBlock: "0x0", toBlock: "latest", address: bytesToHex(TOKEN) },
    ]);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({
      blockHash: b1,
      blockNumber: "0x1",
      transactionIndex: "0x0",
      logIndex: "0x0",
      removed: false,
    });
    expect(logs[1]).toMatchObject({ transactionIndex: "0x2", logIndex: "0x1" });
    expect(logs[0].topics[0]).toBe(bytesToHex(TRANSFER_TOPIC));
  });

  it("filters by positional topics and by block hash", async () => {
    const fromKey2 = await h.ok("eth_getLogs", [{ blockHash: b1, topics: [null, topicOf(ADDRESSES[2]!)] }]);
    expect(fromKey2).toHaveLength(1);
    expect(fromKey2[0].transactionIndex).toBe("0x2");
    const either = await h.ok("eth_getLogs", [
      {
        blockHash: b1,
        topics: [bytesToHex(TRANSFER_TOPIC), [topicOf(ADDRESSES[0]!), topicOf(ADDRESSES[2]!)]],
      },
    ]);
    expect(either).toHaveLength(2);
    expect(await h.ok("eth_getLogs", [{ fromBlock: "0x2", toBlock: "0x2" }])).toEqual([]);
    expect(await h.ok("eth_getLogs", [{ address: `0x${"77".repeat(20)}` }])).toEqual([]);
  });

  it("refuses malformed filters and oversized ranges", async () => {
    expect((await h.call("eth_getLogs", [{ topics: ["0x12"] }])).error?.code).toBe(-32602);
    expect((await h.call("eth_getLogs", [{ blockHash: b1, fromBlock: "0x0" }])).error?.code).toBe(-32602);
    // past the head, and backwards: -32602 with geth's messages
    const beyond = (await h.call("eth_getLogs", [{ fromBlock: "0x0", toBlock: "0x2710" }])).error;
    expect(beyond).toMatchObject({ code: -32602, message: "block range extends beyond current head block" });
    const back = (await h.call("eth_getLogs", [{ fromBlock: "0x2", toBlock: "0x1" }])).error;
    expect(back).toMatchObject({ code: -32602, message: "invalid block range" });
    expect((await h.call("eth_getLogs", [{ topics: [null, null, null, null, null] }])).error?.code).toBe(
      -32602,
    );
  });
});
