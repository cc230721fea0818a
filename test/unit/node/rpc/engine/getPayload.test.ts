/**
 * engine_getPayloadV1–V3 and the read-only methods (exchangeCapabilities, getClientVersionV1,
 * getPayloadBodiesByHash/ByRange, getBlobsV1) over a real dev chain, with their error codes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { devTx } from "../../../../utils/devChain.ts";
import {
  attrsV3,
  closePayloadPool,
  type EngineHarness,
  extend,
  fcState,
  openEngine,
  ZERO32,
} from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let h: EngineHarness;
let b1: string;
let b2: string;
const tx = bytesToHex(devTx(0, 0n, new Uint8Array(20).fill(9), 5n));

beforeAll(async () => {
  h = await openEngine(pools);
  b1 = await extend(h, h.headHash(), 12, { transactions: [tx], noTxPool: true });
  b2 = await extend(h, b1, 24);
});
afterAll(async () => {
  await h.close();
  await pools.close();
  await closePayloadPool();
});

describe("engine_getPayloadV3", () => {
  it("returns the built payload with its value and an empty blobs bundle", async () => {
    const tx2 = bytesToHex(devTx(1, 0n, new Uint8Array(20).fill(9), 5n));
    const fcu = await h.ok("engine_forkchoiceUpdatedV3", [
      fcState(b2),
      attrsV3(36, { transactions: [tx2], noTxPool: true }),
    ]);
    const r = await h.ok("engine_getPayloadV3", [fcu.payloadId]);
    expect(r.executionPayload.transactions).toEqual([tx2]);
    expect(r.executionPayload.parentHash).toBe(b2);
    expect(r.executionPayload.blockNumber).toBe("0x3");
    expect(BigInt(r.blockValue)).toBeGreaterThan(0n);
    expect(r.blobsBundle).toEqual({ commitments: [], proofs: [], blobs: [] });
    expect(r.shouldOverrideBuilder).toBe(false);
    // -38005: a V3 build asked for through V2 or V1.
    expect((await h.call("engine_getPayloadV2", [fcu.payloadId])).error?.code).toBe(-38005);
    expect((await h.call("engine_getPayloadV1", [fcu.payloadId])).error?.code).toBe(-38005);
  });

  it("-38001 for an unknown payloadId, -32602 for a malformed one", async () => {
    expect((await h.call("engine_getPayloadV3", ["0x0300000000000000"])).error?.code).toBe(-38001);
    expect((await h.call("engine_getPayloadV3", ["0x03"])).error?.code).toBe(-32602);
  });
});

describe("read-only engine methods", () => {
  it("exchangeCapabilities lists V1-V3 without itself; getClientVersionV1 names the client", async () => {
    const caps: string[] = await h.ok("engine_exchangeCapabilities", [["engine_newPayloadV3"]]);
    for (const v of [1, 2, 3])
      for (const m of ["newPayload", "forkchoiceUpdated", "getPayload"])
        expect(caps).toContain(`engine_${m}V${v}`);
    expect(caps).not.toContain("engine_exchangeCapabilities");
    const cv = await h.ok("engine_getClientVersionV1", [
      { code: "XX", name: "cl", version: "1", commit: "0x01020304" },
    ]);
    expect(cv).toEqual([expect.objectContaining({ code: "FE", name: "fastevm" })]);
  });

  it("getPayloadBodiesByHashV1: bodies in order, null for unknown, -38004 above the limit", async () => {
    const r = await h.ok("engine_getPayloadBodiesByHashV1", [[b1, ZERO32, b2]]);
    expect(r).toEqual([{ transactions: [tx], withdrawals: [] }, null, { transactions: [], withdrawals: [] }]);
    expect((await h.call("engine_getPayloadBodiesByHashV1", [Array(1025).fill(b1)])).error?.code).toBe(
      -38004,
    );
  });

  it("getPayloadBodiesByRangeV1: no trailing nulls, -32602 for start/count 0, -38004 above the limit", async () => {
    expect(await h.ok("engine_getPayloadBodiesByRangeV1", ["0x1", "0x20"])).toHaveLength(2);
    expect((await h.call("engine_getPayloadBodiesByRangeV1", ["0x0", "0x1"])).error?.code).toBe(-32602);
    expect((await h.call("engine_getPayloadBodiesByRangeV1", ["0x1", "0x0"])).error?.code).toBe(-32602);
    expect((await h.call("engine_getPayloadBodiesByRangeV1", ["0x1", "0x401"])).error?.code).toBe(-38004);
  });

  it("getBlobsV1: nulls (no blob pool), -38004 above 128 hashes", async () => {
    expect(await h.ok("engine_getBlobsV1", [[ZERO32, ZERO32]])).toEqual([null, null]);
    expect((await h.call("engine_getBlobsV1", [Array(129).fill(ZERO32)])).error?.code).toBe(-38004);
  });

  it("serves the eth_ subset at the head", async () => {
    expect(await h.ok("eth_chainId")).toBe("0x539");
    expect(await h.ok("eth_blockNumber")).toBe("0x2");
    expect(await h.ok("eth_syncing")).toBe(false);
    expect((await h.ok("eth_getBlockByHash", [b1, false])).number).toBe("0x1");
    expect((await h.ok("eth_getBlockByNumber", ["finalized", false])).number).toBe("0x0");
    await h.ok("engine_forkchoiceUpdatedV3", [fcState(b2, b1, b1)]);
    expect((await h.ok("eth_getBlockByNumber", ["safe", false])).hash).toBe(b1);
    expect((await h.ok("eth_getBlockByNumber", ["latest", false])).hash).toBe(b2);
    expect(await h.ok("eth_getCode", [`0x${"09".repeat(20)}`, "latest"])).toBe("0x");
  });
});
