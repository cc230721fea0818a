/**
 * ChainTxs, the RPC's decoded block transactions: one recovery per block while it is held, and a memory
 * bound in transactions as well as blocks (a validator under `pnpm perf` held 256 blocks of ~200
 * transactions, ~100 MB, before the transaction bound).
 */
import { describe, expect, it } from "vitest";
import type { HeadChange } from "../../../../../node/chain/chain.ts";
import type { ChainStore, HeadInfo } from "../../../../../node/chain/chainStore.ts";
import type { RecoveredTx, RecoverItem } from "../../../../../node/core/wire/recover.ts";
import { ChainTxs, MAX_BLOCKS, MAX_TXS } from "../../../../../node/rpc/eth/txs.ts";

const hash = (n: number) => new Uint8Array(32).fill(n % 256).map((b, i) => (i === 0 ? n >> 8 : b));
const txs = (n: number) => Array.from({ length: n }, (_, i) => new Uint8Array([0x02, i & 0xff, i >> 8]));

function counting(fail = false) {
  const calls: { n: number; chainId: bigint | null }[] = [];
  const recover = async (raw: readonly Uint8Array[], chainId: bigint | null): Promise<RecoverItem[]> => {
    calls.push({ n: raw.length, chainId });
    return raw.map((r) =>
      fail
        ? { ok: false, error: { code: "TX_DECODE", message: "bad" } }
        : ({ ok: true, tx: {}, hash: r, sender: new Uint8Array(20), intrinsicGas: 21000 } as RecoverItem),
    );
  };
  return { calls, recover };
}

const store = {} as ChainStore;

describe("ChainTxs", () => {
  it("recovers a block once, with no chain-id rule, while it is held", async () => {
    const { calls, recover } = counting();
    const c = new ChainTxs(store, recover);
    const a = await c.of(hash(1), txs(3));
    expect(await c.of(hash(1), txs(3))).toBe(a);
    expect(calls).toEqual([{ n: 3, chainId: null }]);
    expect(await c.of(hash(2), [])).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("holds at most MAX_TXS transactions, oldest blocks dropped first, the newest always kept", async () => {
    const { calls, recover } = counting();
    const c = new ChainTxs(store, recover);
    const per = MAX_TXS / 4;
    for (let i = 0; i < 6; i++) await c.of(hash(i), txs(per));
    expect(c.held).toEqual({ blocks: 4, txs: MAX_TXS });
    await c.of(hash(5), txs(per)); // held: no recovery
    expect(calls).toHaveLength(6);
    await c.of(hash(0), txs(per)); // dropped: recovered again
    expect(calls).toHaveLength(7);
    await c.of(hash(9), txs(MAX_TXS + 1));
    expect(c.held).toEqual({ blocks: 1, txs: MAX_TXS + 1 });
  });

  it("holds at most MAX_BLOCKS blocks of small ones", async () => {
    const { recover } = counting();
    const c = new ChainTxs(store, recover);
    for (let i = 0; i < MAX_BLOCKS + 10; i++) await c.of(hash(i), txs(1));
    expect(c.held).toEqual({ blocks: MAX_BLOCKS, txs: MAX_BLOCKS });
  });

  it("a block that does not decode is a STORAGE error and is not kept", async () => {
    const { calls, recover } = counting(true);
    const c = new ChainTxs(store, recover);
    await expect(c.of(hash(1), txs(2))).rejects.toMatchObject({ code: "STORAGE" });
    expect(c.held.blocks).toBe(0);
    await expect(c.of(hash(1), txs(2))).rejects.toMatchObject({ code: "STORAGE" });
    expect(calls).toHaveLength(2);
  });

  it("follow copies each new canonical block whose transactions are all known, and nothing else", async () => {
    const { calls, recover } = counting();
    const bodies = new Map<string, Uint8Array[]>([
      ["1", txs(2)],
      ["2", txs(3)],
    ]);
    const body = (h: Uint8Array) => {
      const t = bodies.get(String(h[31]));
      return t === undefined ? undefined : { transactions: t };
    };
    const c = new ChainTxs({ body } as unknown as ChainStore, recover);
    let listener: ((change: HeadChange) => void) | undefined;
    const chain = {
      onHeadChange: (l: (change: HeadChange) => void) => {
        listener = l;
        return () => {
          listener = undefined;
        };
      },
    };
    const known = new Map<string, RecoveredTx>();
    for (const r of bodies.get("1")!) known.set(String(r), { ok: true, hash: r } as unknown as RecoveredTx);
    c.follow(chain, (r) => known.get(String(r)));
    const head = (n: number) => ({ hash: new Uint8Array(32).fill(n), header: {} as HeadInfo["header"] });
    listener!({ head: head(2), removed: [], added: [head(1), head(2)] });
    // block 1's transactions were all known: copied; block 2's were not: left to a later read
    expect(c.held).toEqual({ blocks: 1, txs: 2 });
    expect((await c.ofBlock(head(1).hash)).map((t) => t.hash)).toEqual(bodies.get("1"));
    expect(calls).toEqual([]);
    await c.ofBlock(head(2).hash);
    expect(calls).toEqual([{ n: 3, chainId: null }]);
    c.close();
    expect(listener).toBeUndefined();
  });
});
