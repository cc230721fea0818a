/**
 * Forced-transaction payload building: invalid forced transactions (undecodable, duplicate, nonce gap,
 * unfunded, wrong chain, over the gas left) are skipped, never fatal, and every one is tried however many
 * are invalid; two separate nodes given the same attributes build byte-identical payloads with the same
 * skips; the optional gasLimit is used.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { encodeTransaction } from "../../../../../node/core/tx/encode.ts";
import { signTransaction } from "../../../../../node/core/tx/sign.ts";
import { devTx, KEYS } from "../../../../utils/devChain.ts";
import {
  buildOn,
  closePayloadPool,
  type EngineHarness,
  openEngine,
  ZERO32,
} from "../../../../utils/engineHarness.ts";

const pools = startChainPools();
let a: EngineHarness;
let b: EngineHarness;
beforeAll(async () => {
  [a, b] = await Promise.all([openEngine(pools), openEngine(pools)]);
});
afterAll(async () => {
  await a.close();
  await b.close();
  await pools.close();
  await closePayloadPool();
});

const to = new Uint8Array(20).fill(0x42);
const tx = (from: number, nonce: bigint, amount = 1n) => bytesToHex(devTx(from, nonce, to, amount));
const unfundedKey = new Uint8Array(32).fill(7);
const wrongChain = bytesToHex(
  encodeTransaction(
    signTransaction(
      {
        type: 2,
        chainId: 1n,
        nonce: 0n,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 10n ** 11n,
        gasLimit: 21000n,
        to,
        value: 1n,
        data: new Uint8Array(0),
        accessList: [],
      },
      KEYS[2]!,
    ),
  ),
);
const unfunded = bytesToHex(
  encodeTransaction(
    signTransaction(
      {
        type: 2,
        chainId: 1337n,
        nonce: 0n,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 10n ** 11n,
        gasLimit: 21000n,
        to,
        value: 1n,
        data: new Uint8Array(0),
        accessList: [],
      },
      unfundedKey,
    ),
  ),
);

describe("forced-transaction payload building", () => {
  const forced = [
    tx(0, 0n), // ok
    tx(0, 0n), // duplicate
    "0x02c0", // undecodable
    tx(0, 2n), // nonce gap
    unfunded, // no balance for the fee
    wrongChain, // wrong chain id
    tx(0, 1n), // ok
    tx(1, 0n, 10n ** 30n), // value above balance
    tx(3, 0n), // ok
  ];

  it("skips invalid and duplicate transactions deterministically: two nodes build the same bytes", async () => {
    const attrs = { transactions: forced, noTxPool: true, gasLimit: "0x1c9c381" };
    const [pa, pb] = await Promise.all([
      buildOn(a, a.headHash(), 12, attrs),
      buildOn(b, b.headHash(), 12, attrs),
    ]);
    expect(JSON.stringify(pa)).toBe(JSON.stringify(pb));
    expect(pa.transactions).toEqual([forced[0], forced[6], forced[8]]);
    expect(pa.gasLimit).toBe("0x1c9c381");
    // Static skips first (duplicate, undecodable), then recovery (wrong chain), then execution, in order.
    expect(a.skipped.map((s) => s.index)).toEqual([1, 2, 5, 3, 4, 7]);
    expect(a.skipped.map((s) => s.reason)).toEqual(b.skipped.map((s) => s.reason));
    // The built block is valid on both nodes.
    for (const h of [a, b])
      expect(await h.ok("engine_newPayloadV3", [pa, [], ZERO32])).toMatchObject({ status: "VALID" });
  });

  it("skips a transaction that no longer fits the block's gas and still tries the smaller ones after it", async () => {
    const head = a.headHash();
    const big = (nonce: bigint) =>
      bytesToHex(
        encodeTransaction(
          signTransaction(
            {
              type: 2,
              chainId: 1337n,
              nonce,
              maxPriorityFeePerGas: 1n,
              maxFeePerGas: 10n ** 11n,
              gasLimit: 30_000_000n,
              to,
              value: 1n,
              data: new Uint8Array(0),
              accessList: [],
            },
            KEYS[4]!,
          ),
        ),
      );
    const before = a.skipped.length;
    const list = [big(0n), big(1n), tx(5, 0n), tx(5, 1n)];
    const p = await buildOn(a, head, 24, { transactions: list, noTxPool: true });
    // the whole 30M block limit for the first; 30M - 21000 left is too little for the second
    expect(p.transactions).toEqual([big(0n), tx(5, 0n), tx(5, 1n)]);
    expect(BigInt(p.gasUsed)).toBe(3n * 21_000n);
    const skipped = a.skipped.slice(before);
    expect(skipped.map((s) => s.index)).toEqual([1]);
    expect(skipped[0]!.reason).toMatch(/^TX_GAS_LIMIT_EXCEEDS_BLOCK: /);
  });

  it("tries every transaction: 100 invalid ones before valid ones cost no inclusion", async () => {
    const bad = Array.from({ length: 100 }, (_, i) => tx(6, 100n + BigInt(i))); // nonce gap
    const forcedList = [tx(5, 0n), ...bad, tx(7, 0n), tx(5, 1n), tx(7, 1n)];
    const attrs = { transactions: forcedList, noTxPool: true };
    const before = { a: a.skipped.length, b: b.skipped.length };
    const [pa, pb] = await Promise.all([
      buildOn(a, a.headHash(), 36, attrs),
      buildOn(b, b.headHash(), 36, attrs),
    ]);
    expect(pa.transactions).toEqual([forcedList[0], ...forcedList.slice(101)]);
    const skipped = a.skipped.slice(before.a);
    expect(skipped.map((s) => s.index)).toEqual(bad.map((_, i) => i + 1));
    for (const s of skipped) expect(s.reason).toMatch(/^TX_NONCE_TOO_HIGH: /);
    // same attributes on the same parent state: the same block, and the same skips, on another node
    expect(pb.blockHash).toBe(pa.blockHash);
    expect(JSON.stringify(pb)).toBe(JSON.stringify(pa));
    expect(b.skipped.slice(before.b)).toEqual(skipped);
    expect(await b.ok("engine_newPayloadV3", [pa, [], ZERO32])).toMatchObject({ status: "VALID" });
  });
});
