import { describe, expect, it } from "vitest";
import { rawTxKey, SenderCache } from "../../../../../node/core/tx/senderCache.ts";
import type { RecoveredTx, RecoverItem } from "../../../../../node/core/wire/recover.ts";

const raw = (n: number) => new Uint8Array([0x02, n, n + 1]);
const item = (n: number): RecoveredTx =>
  ({
    ok: true,
    tx: {} as RecoveredTx["tx"],
    hash: new Uint8Array(32).fill(n),
    sender: new Uint8Array(20).fill(n),
    intrinsicGas: 21000,
  }) as RecoveredTx;

describe("SenderCache", () => {
  it("keys by the raw bytes (equal bytes, equal key; no hashing)", () => {
    expect(rawTxKey(raw(1))).toBe(rawTxKey(new Uint8Array([0x02, 1, 2])));
    expect(rawTxKey(raw(1))).not.toBe(rawTxKey(raw(2)));
    // a view into a larger buffer keys by its own bytes only
    const big = new Uint8Array([9, 9, 0x02, 1, 2, 9]);
    expect(rawTxKey(big.subarray(2, 5))).toBe(rawTxKey(raw(1)));
  });

  it("drops the least recently used entry past its capacity", () => {
    const c = new SenderCache(2);
    c.set(raw(1), item(1));
    c.set(raw(2), item(2));
    expect(c.get(raw(1))).toBeDefined(); // 1 is now the most recent
    c.set(raw(3), item(3));
    expect(c.size).toBe(2);
    expect(c.get(raw(2))).toBeUndefined();
    expect(c.get(raw(1))?.hash[0]).toBe(1);
    expect(c.get(raw(3))?.hash[0]).toBe(3);
  });

  it("recover answers hits itself and sends only the misses, in order; failures are not cached", async () => {
    const c = new SenderCache();
    c.set(raw(2), item(2));
    const calls: Uint8Array[][] = [];
    const recover = async (txs: readonly Uint8Array[]): Promise<RecoverItem[]> => {
      calls.push([...txs]);
      return txs.map((t) =>
        t[1] === 4 ? { ok: false, error: { code: "TX_INVALID_SIGNATURE", message: "bad" } } : item(t[1]!),
      );
    };
    const out = await c.recover([raw(1), raw(2), raw(3), raw(4)], recover);
    expect(calls).toEqual([[raw(1), raw(3), raw(4)]]);
    expect(out.map((r) => (r.ok ? r.hash[0] : "err"))).toEqual([1, 2, 3, "err"]);
    expect(c.hits).toBe(1);
    expect(c.misses).toBe(3);
    // the second time, everything that recovered is a hit; the failure is asked again
    calls.length = 0;
    await c.recover([raw(1), raw(3), raw(4)], recover);
    expect(calls).toEqual([[raw(4)]]);
  });

  it("sends nothing when everything hits", async () => {
    const c = new SenderCache();
    c.set(raw(1), item(1));
    let called = false;
    const out = await c.recover([raw(1)], async () => {
      called = true;
      return [];
    });
    expect(called).toBe(false);
    expect(out).toHaveLength(1);
  });

  it("with remember false, answers hits but keeps none of what it recovered", async () => {
    const c = new SenderCache();
    c.set(raw(1), item(1));
    const calls: Uint8Array[][] = [];
    const recover = async (txs: readonly Uint8Array[]): Promise<RecoverItem[]> => {
      calls.push([...txs]);
      return txs.map((t) => item(t[1]!));
    };
    const out = await c.recover([raw(1), raw(2)], recover, false);
    expect(out.map((r) => (r.ok ? r.hash[0] : "err"))).toEqual([1, 2]);
    expect(calls).toEqual([[raw(2)]]);
    expect(c.size).toBe(1);
    expect(c.get(raw(2))).toBeUndefined();
  });

  it("take answers an entry once and drops it", () => {
    const c = new SenderCache();
    c.set(raw(1), item(1));
    expect(c.take(raw(1))?.hash[0]).toBe(1);
    expect(c.take(raw(1))).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
