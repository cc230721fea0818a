/**
 * engine_newPayloadV3 over a real dev chain, in the spec's validation order: structure (-32602), fork window
 * (-38005), transactions, block hash, blob versioned hashes, unknown parent (SYNCING), execution (VALID /
 * INVALID with latestValidHash), and verdicts that never flip (known-invalid blocks and their descendants).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { payloadToBlock } from "../../../../../node/core/block/payload.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { ADDRESSES, devTx } from "../../../../utils/devChain.ts";
import {
  buildOn,
  closePayloadPool,
  type EngineHarness,
  fcState,
  type Json,
  openEngine,
  ZERO32,
} from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let h: EngineHarness;
let genesis: string;
let payload: Json;

/** The payload with `patch` applied and its blockHash recomputed (so only the patched rule can fail). */
function rehash(p: Json, patch: Record<string, unknown>): Json {
  const q = { ...p, ...patch };
  return { ...q, blockHash: bytesToHex(payloadToBlock(q, hexToBytes(ZERO32)).blockHash) };
}

beforeAll(async () => {
  h = await openEngine(pools);
  genesis = h.headHash();
  payload = await buildOn(h, genesis, 12, {
    transactions: [bytesToHex(devTx(0, 0n, ADDRESSES[1]!, 1000n))],
    noTxPool: true,
  });
});
afterAll(async () => {
  await h.close();
  await pools.close();
  await closePayloadPool();
});

describe("engine_newPayloadV3", () => {
  it("rejects wrong structure with -32602 before anything else", async () => {
    const { blobGasUsed: _, ...noBlobGas } = payload;
    expect((await h.call("engine_newPayloadV3", [noBlobGas, [], ZERO32])).error?.code).toBe(-32602);
    expect(
      (await h.call("engine_newPayloadV3", [{ ...payload, excessBlobGas: null }, [], ZERO32])).error?.code,
    ).toBe(-32602);
    expect((await h.call("engine_newPayloadV3", [payload, []])).error?.code).toBe(-32602);
    expect((await h.call("engine_newPayloadV3", [payload, null, ZERO32])).error?.code).toBe(-32602);
    expect((await h.call("engine_newPayloadV3", [{ ...payload, extra: 1 }, [], ZERO32])).error?.code).toBe(
      -32602,
    );
    expect(
      (await h.call("engine_newPayloadV3", [{ ...payload, gasUsed: "0x01" }, [], ZERO32])).error?.code,
    ).toBe(-32602);
  });

  it("answers -38005 when the timestamp is outside the method's fork (V2 on a Cancun chain)", async () => {
    const { blobGasUsed: _a, excessBlobGas: _b, ...v2 } = payload;
    expect((await h.call("engine_newPayloadV2", [v2])).error?.code).toBe(-38005);
    // V3-shaped payload to V2 is the wrong structure.
    expect((await h.call("engine_newPayloadV2", [payload])).error?.code).toBe(-32602);
  });

  it("INVALID with a null latestValidHash for empty or undecodable transactions, a wrong hash, wrong blob hashes", async () => {
    // Transactions are checked before the block hash, so these need no valid hash.
    for (const txs of [["0x"], ["0x02ff"]]) {
      const st = await h.ok("engine_newPayloadV3", [{ ...payload, transactions: txs }, [], ZERO32]);
      expect(st).toMatchObject({ status: "INVALID", latestValidHash: null });
    }
    const badHash = await h.ok("engine_newPayloadV3", [{ ...payload, blockHash: ZERO32 }, [], ZERO32]);
    expect(badHash).toMatchObject({ status: "INVALID", latestValidHash: null });
    const blobs = await h.ok("engine_newPayloadV3", [payload, [`0x01${"22".repeat(31)}`], ZERO32]);
    expect(blobs).toMatchObject({ status: "INVALID", latestValidHash: null });
  });

  it("SYNCING for an unknown parent", async () => {
    const orphan = rehash(payload, { parentHash: `0x${"ab".repeat(32)}` });
    expect(await h.ok("engine_newPayloadV3", [orphan, [], ZERO32])).toEqual({
      status: "SYNCING",
      latestValidHash: null,
      validationError: null,
    });
  });

  it("VALID without moving the head; an already-known block is VALID again", async () => {
    const st = await h.ok("engine_newPayloadV3", [payload, [], ZERO32]);
    expect(st).toEqual({ status: "VALID", latestValidHash: payload.blockHash, validationError: null });
    expect(h.headHash()).toBe(genesis);
    expect(await h.ok("eth_blockNumber")).toBe("0x0");
    expect(await h.ok("engine_newPayloadV3", [payload, [], ZERO32])).toMatchObject({ status: "VALID" });
    await h.ok("engine_forkchoiceUpdatedV3", [fcState(payload.blockHash)]);
    expect(h.headHash()).toBe(payload.blockHash);
    expect(await h.ok("eth_blockNumber")).toBe("0x1");
  });

  it("a payload built elsewhere recovers its senders beside the payload check; a tampered one lends nothing", async () => {
    const other = await openEngine(pools);
    try {
      const work = other.dev.chain.work;
      const ahead = work.recoveredAhead;
      const lookups = work.senderLookups;
      // the real block hash over other transactions: the check fails, its recovery is never taken
      const tampered = [bytesToHex(devTx(0, 1n, ADDRESSES[2]!, 5n))];
      const bad = await other.ok("engine_newPayloadV3", [{ ...payload, transactions: tampered }, [], ZERO32]);
      expect(bad).toMatchObject({ status: "INVALID", latestValidHash: null });
      expect(work.recoveredAhead).toBe(ahead);
      // the genuine payload replaces that recovery with its own, started before its check, and takes it
      const st = await other.ok("engine_newPayloadV3", [payload, [], ZERO32]);
      expect(st).toEqual({ status: "VALID", latestValidHash: payload.blockHash, validationError: null });
      expect(work.recoveredAhead).toBe(ahead + 1);
      expect(work.senderLookups).toBe(lookups + 2);
      expect(other.engine.counters.payloadChecks).toBe(2);
    } finally {
      await other.close();
    }
  });

  it("INVALID after execution names the parent as latestValidHash; the verdict sticks and spreads to children", async () => {
    const bad = rehash(payload, {
      stateRoot: `0x${"01".repeat(32)}`,
      parentHash: payload.blockHash,
      blockNumber: "0x2",
      timestamp: "0x18",
    });
    const st = await h.ok("engine_newPayloadV3", [bad, [], ZERO32]);
    expect(st.status).toBe("INVALID");
    expect(st.latestValidHash).toBe(payload.blockHash);
    expect(st.validationError).toMatch(/invalid block/);
    expect(await h.ok("engine_newPayloadV3", [bad, [], ZERO32])).toMatchObject({
      status: "INVALID",
      latestValidHash: payload.blockHash,
    });
    const child = rehash(payload, { parentHash: bad.blockHash, blockNumber: "0x3", timestamp: "0x24" });
    expect(await h.ok("engine_newPayloadV3", [child, [], ZERO32])).toMatchObject({
      status: "INVALID",
      latestValidHash: payload.blockHash,
    });
    const fcu = await h.ok("engine_forkchoiceUpdatedV3", [fcState(child.blockHash)]);
    expect(fcu).toMatchObject({
      payloadStatus: { status: "INVALID", latestValidHash: payload.blockHash },
      payloadId: null,
    });
    expect(h.headHash()).toBe(payload.blockHash);
  });
});
