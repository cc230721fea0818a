/**
 * eth_getLogs (node/rpc/eth/logs.ts), through the Engine API port's eth_ subset (the same handler as the
 * public port): range and blockHash queries, address and positional topic filters, geth's range errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRANSFER_TOPIC } from "../../../../../node/chain/devToken.ts";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { ADDRESSES, devTx, TOKEN } from "../../../../utils/devChain.ts";
import {
  closePayloadPool,
  type EngineHarness,
  extend,
  fcState,
  openEngine,
} from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let h: EngineHarness;
let b1: string;
let b2: string;
let genesis: string;
const to = new Uint8Array(20).fill(3);
const topicOf = (a: Uint8Array) => `0x${bytesToHex(a).slice(2).padStart(64, "0")}`;

beforeAll(async () => {
  h = await openEngine(pools);
  genesis = h.headHash();
  const txs = [devTx(0, 0n, to, 5n, true), devTx(1, 0n, to, 1n), devTx(2, 0n, to, 6n, true)].map(bytesToHex);
  b1 = await extend(h, h.headHash(), 12, { transactions: txs, noTxPool: true });
  b2 = await extend(h, b1, 24);
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

  it("resolves every tag as the one resolver does (blockTag.ts): safe and finalized are not the head", async () => {
    const token = { address: bytesToHex(TOKEN) };
    // head b2 (no logs), safe b1 (two Transfer logs), finalized genesis
    await h.ok("engine_forkchoiceUpdatedV3", [fcState(b2, b1, genesis)]);
    const logsAt = async (tag: string) =>
      (await h.ok("eth_getLogs", [{ ...token, fromBlock: tag, toBlock: tag }])).map(
        (l: { blockHash: string }) => l.blockHash,
      );
    const blockAt = async (tag: string) => (await h.ok("eth_getBlockByNumber", [tag, false])).hash;
    for (const tag of ["safe", "finalized", "latest", "pending", "earliest"]) {
      const hash = await blockAt(tag);
      const got = await logsAt(tag);
      // every log returned is in the block eth_getBlockByNumber names for the same tag
      expect(got.every((x: string) => x === hash)).toBe(true);
      expect(got).toHaveLength(hash === b1 ? 2 : 0);
    }
    expect(await blockAt("safe")).toBe(b1);
    expect(await blockAt("finalized")).toBe(genesis);
    expect(await blockAt("latest")).toBe(b2);
    // a range up to "safe" stops at b1, one up to "latest" reaches b2
    expect(await h.ok("eth_getLogs", [{ ...token, fromBlock: "earliest", toBlock: "safe" }])).toHaveLength(2);
    expect(await h.ok("eth_getLogs", [{ ...token, fromBlock: "latest", toBlock: "latest" }])).toEqual([]);
    expect((await h.call("eth_getLogs", [{ fromBlock: "latest", toBlock: "safe" }])).error).toMatchObject({
      code: -32602,
      message: "invalid block range",
    });
  });
});
