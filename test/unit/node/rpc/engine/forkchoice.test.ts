/**
 * engine_forkchoiceUpdatedV3 over a real dev chain: SYNCING for an unknown head, reorg to a side branch and
 * back with the flat state following, -38002 (safe/finalized off the head's chain), -38006 (reorg depth),
 * attributes checked after the update (-38003 / -38005 keep it), no update behind the finalized block, and a
 * payloadId that depends only on the attributes.
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
let genesis: string;
let a1: string;
let a2: string;
let a3: string;
let b1: string;

/** Fresh (unfunded) recipients, so their balances show which branch the state is on. */
const recipient = (i: number) => new Uint8Array(20).fill(i);
const pay = (from: number, nonce: bigint, to: number, amount: bigint) => ({
  transactions: [bytesToHex(devTx(from, nonce, recipient(to), amount))],
  noTxPool: true,
});
const balanceOf = (i: number) => h.dev.chain.store.account(recipient(i))?.balance ?? 0n;

beforeAll(async () => {
  h = await openEngine(pools, 2);
  genesis = h.headHash();
  // Side branch first (B1 pays account 6), then the canonical A1..A3 (paying account 7).
  b1 = await extend(h, genesis, 12, pay(0, 0n, 6, 777n));
  a1 = await extend(h, genesis, 13, pay(0, 0n, 7, 1n));
  a2 = await extend(h, a1, 25, pay(0, 1n, 7, 1n));
  a3 = await extend(h, a2, 37, pay(0, 2n, 7, 1n));
});
afterAll(async () => {
  await h.close();
  await pools.close();
  await closePayloadPool();
});

describe("engine_forkchoiceUpdatedV3", () => {
  it("SYNCING with no payloadId for an unknown head; -32602 for a malformed state", async () => {
    const r = await h.ok("engine_forkchoiceUpdatedV3", [fcState(`0x${"cd".repeat(32)}`), attrsV3(99)]);
    expect(r).toEqual({
      payloadStatus: { status: "SYNCING", latestValidHash: null, validationError: null },
      payloadId: null,
    });
    expect((await h.call("engine_forkchoiceUpdatedV3", [{ headBlockHash: a3 }])).error?.code).toBe(-32602);
    expect(h.headHash()).toBe(a3);
  });

  it("-38006 for a reorg deeper than the limit (3 blocks back, limit 2); head unchanged", async () => {
    expect((await h.call("engine_forkchoiceUpdatedV3", [fcState(b1)])).error?.code).toBe(-38006);
    expect(h.headHash()).toBe(a3);
  });

  it("reorgs to a side branch and back, the state following the head", async () => {
    expect(await h.ok("engine_forkchoiceUpdatedV3", [fcState(a1)])).toMatchObject({
      payloadStatus: { status: "VALID", latestValidHash: a1 },
    });
    expect(balanceOf(7)).toBe(1n);
    await h.ok("engine_forkchoiceUpdatedV3", [fcState(b1)]);
    expect(h.headHash()).toBe(b1);
    expect(balanceOf(7)).toBe(0n);
    expect(balanceOf(6)).toBe(777n);
    expect(await h.ok("eth_getBlockByNumber", ["0x1", false])).toMatchObject({ hash: b1 });
    await h.ok("engine_forkchoiceUpdatedV3", [fcState(a1)]);
    await h.ok("engine_forkchoiceUpdatedV3", [fcState(a3)]);
    expect(h.headHash()).toBe(a3);
    expect(balanceOf(7)).toBe(3n);
    expect(balanceOf(6)).toBe(0n);
  });

  it("-38002 when safe or finalized is not on the head's chain", async () => {
    expect((await h.call("engine_forkchoiceUpdatedV3", [fcState(a3, b1, ZERO32)])).error?.code).toBe(-38002);
    expect((await h.call("engine_forkchoiceUpdatedV3", [fcState(a3, ZERO32, b1)])).error?.code).toBe(-38002);
    expect(
      (await h.call("engine_forkchoiceUpdatedV3", [fcState(a3, a2, `0x${"ee".repeat(32)}`)])).error?.code,
    ).toBe(-38002);
  });

  it("checks attributes after the update: -38003 / -38005 keep the new head", async () => {
    const stale = await h.call("engine_forkchoiceUpdatedV3", [fcState(a2), attrsV3(25)]);
    expect(stale.error?.code).toBe(-38003);
    expect(h.headHash()).toBe(a2);
    const { parentBeaconBlockRoot: _, ...v2 } = attrsV3(100);
    expect((await h.call("engine_forkchoiceUpdatedV3", [fcState(a3), v2])).error?.code).toBe(-38003);
    expect(h.headHash()).toBe(a3);
    expect((await h.call("engine_forkchoiceUpdatedV2", [fcState(a2), v2])).error?.code).toBe(-38005);
    expect(h.headHash()).toBe(a2);
    const gas = await h.call("engine_forkchoiceUpdatedV3", [
      fcState(a3),
      attrsV3(100, { gasLimit: "0x5208" }),
    ]);
    expect(gas.error?.code).toBe(-38003);
  });

  it("gives the same payloadId for the same attributes and a new one when any attribute changes", async () => {
    const id = async (extra: Record<string, unknown>) =>
      (await h.ok("engine_forkchoiceUpdatedV3", [fcState(a3), attrsV3(100, extra)])).payloadId as string;
    const base = await id({});
    expect(base).toMatch(/^0x03[0-9a-f]{14}$/);
    expect(await id({})).toBe(base);
    const variants = [
      { prevRandao: `0x${"01".repeat(32)}` },
      { noTxPool: true },
      pay(1, 0n, 2, 5n),
      { gasLimit: "0x1c9c381" },
    ];
    const ids = await Promise.all(variants.map(id));
    expect(new Set([base, ...ids]).size).toBe(variants.length + 1);
  });

  it("does not move the head behind the finalized block", async () => {
    await h.ok("engine_forkchoiceUpdatedV3", [fcState(a3, a2, a2)]);
    const r = await h.ok("engine_forkchoiceUpdatedV3", [fcState(a1), attrsV3(200)]);
    expect(r).toEqual({
      payloadStatus: { status: "VALID", latestValidHash: a1, validationError: null },
      payloadId: null,
    });
    expect(h.headHash()).toBe(a3);
  });
});
