/**
 * The pool's admission, replacement, limits and chain events, with a fake clock and scaled-down limits
 * (SMALL: 4 account slots, 8 global slots, 4 per account queue, 8 global queue: 16 slots in all).
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../../node/core/errors.ts";
import {
  type AddResult,
  DropReason,
  type PoolTxInput,
  type TxPoolEvent,
} from "../../../../node/txpool/index.ts";
import {
  address,
  CHAIN_ID,
  GWEI,
  HEAD,
  hex,
  input,
  MapState,
  makePool,
  type TxSpec,
} from "./poolFixtures.ts";

function refusal(r: AddResult): { code: string; message: string } {
  if (r.ok) throw new Error(`expected a refusal, got ${r.status}`);
  return { code: r.error.code, message: r.error.message };
}

function ok(r: AddResult): Extract<AddResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected admission, got ${r.error.message}`);
  return r;
}

function kinds(events: readonly TxPoolEvent[], kind: TxPoolEvent["kind"]): string[] {
  return events.filter((e) => e.kind === kind).map((e) => `${e.tx.nonce}`);
}

describe("admission: each refusal has its code and geth's message", () => {
  const state = MapState.funded(3);
  const cases: [string, TxSpec, Partial<Parameters<typeof makePool>[0]>, string, string][] = [
    [
      "oversized",
      { from: 0, nonce: 0, data: new Uint8Array(300).fill(1), gas: 30_000n },
      { maxTxBytes: 200 },
      ErrorCode.TXPOOL_OVERSIZED,
      "oversized data",
    ],
    [
      "wrong chain id",
      { from: 0, nonce: 0, type: 0, chainId: 99n },
      {},
      ErrorCode.TXPOOL_CHAIN_ID,
      "invalid chain id",
    ],
    [
      "unprotected legacy",
      { from: 0, nonce: 0, type: 0, chainId: null },
      {},
      ErrorCode.TXPOOL_UNPROTECTED,
      "only replay-protected (EIP-155) transactions allowed over RPC",
    ],
    [
      "blob",
      { from: 0, nonce: 0, type: 3 },
      {},
      ErrorCode.TXPOOL_TYPE_NOT_SUPPORTED,
      "transaction type not supported: blob transactions need blob data availability",
    ],
    [
      "above the block gas limit",
      { from: 0, nonce: 0, gas: HEAD.gasLimit + 1n },
      {},
      ErrorCode.TXPOOL_GAS_LIMIT,
      "exceeds block gas limit",
    ],
    [
      "below intrinsic gas",
      { from: 0, nonce: 0, gas: 21_000n, data: new Uint8Array(10).fill(1) },
      {},
      ErrorCode.TXPOOL_INTRINSIC_GAS,
      "intrinsic gas too low",
    ],
    [
      "tip above fee cap",
      { from: 0, nonce: 0, tip: 10n * GWEI, fee: 5n * GWEI },
      {},
      ErrorCode.TXPOOL_TIP_ABOVE_FEE_CAP,
      "max priority fee per gas higher than max fee per gas",
    ],
    [
      "below the price limit",
      { from: 0, nonce: 0, tip: GWEI },
      { priceLimit: 2n * GWEI },
      ErrorCode.TXPOOL_UNDERPRICED,
      "transaction underpriced",
    ],
    [
      "unfunded",
      { from: 2, nonce: 0 },
      {},
      ErrorCode.TXPOOL_INSUFFICIENT_FUNDS,
      "insufficient funds for gas * price + value",
    ],
  ];
  const poor = new MapState()
    .set(0, 0n)
    .set(1, 0n)
    .set(2, 0n, 21_000n * 100n * GWEI - 1n);
  it.each(cases)("%s", (_name, spec, config, code, message) => {
    const { pool, events } = makePool(config);
    const r = refusal(pool.add(input(spec), poor, 0));
    expect(r.code).toBe(code);
    expect(r.message.startsWith(message)).toBe(true);
    expect(pool.size).toBe(0);
    expect(events).toEqual([]);
    expect(pool.stats().refused[code]).toBe(1);
  });

  it("an unprotected legacy transaction is admitted with allowUnprotected", () => {
    const { pool } = makePool({ allowUnprotected: true });
    expect(ok(pool.add(input({ from: 0, nonce: 0, type: 0, chainId: null }), state, 0)).status).toBe(
      "pending",
    );
  });

  it("a local transaction is exempt from the price limit (geth)", () => {
    const { pool } = makePool({ priceLimit: 2n * GWEI });
    expect(pool.add(input({ from: 0, nonce: 0, tip: GWEI, local: true }), state, 0).ok).toBe(true);
  });

  it("a malformed sender is refused", () => {
    const { pool } = makePool();
    const bad: PoolTxInput = { ...input({ from: 0, nonce: 0 }), sender: new Uint8Array(19) };
    expect(refusal(pool.add(bad, state, 0)).message).toMatch(/^invalid sender/);
  });

  it("nonce too low and already known", () => {
    const { pool } = makePool();
    const s = new MapState().set(0, 5n);
    expect(refusal(pool.add(input({ from: 0, nonce: 4 }), s, 0)).message).toBe(
      "nonce too low: next nonce 5, tx nonce 4",
    );
    expect(ok(pool.add(input({ from: 0, nonce: 5 }), s, 0)).status).toBe("pending");
    expect(refusal(pool.add(input({ from: 0, nonce: 5 }), s, 0)).code).toBe(ErrorCode.TXPOOL_ALREADY_KNOWN);
  });

  it("the balance must cover the sender's pending transactions ahead of it (overdraft)", () => {
    const { pool } = makePool();
    const cost = 21_000n * 100n * GWEI; // default fee cap, zero value
    const s = new MapState().set(0, 0n, 2n * cost + cost / 2n);
    ok(pool.add(input({ from: 0, nonce: 0 }), s, 0));
    ok(pool.add(input({ from: 0, nonce: 1 }), s, 0));
    const r = refusal(pool.add(input({ from: 0, nonce: 2 }), s, 0));
    expect(r.code).toBe(ErrorCode.TXPOOL_INSUFFICIENT_FUNDS);
    expect(r.message).toMatch(
      /^insufficient funds for gas \* price \+ value: balance \d+, queued cost \d+, overshot/,
    );
    // a gapped one counts the pending run too
    expect(refusal(pool.add(input({ from: 0, nonce: 5 }), s, 0)).code).toBe(
      ErrorCode.TXPOOL_INSUFFICIENT_FUNDS,
    );
    // a replacement counts the difference only: +10 % on nonce 1 still fits
    const r2 = pool.add(input({ from: 0, nonce: 1, tip: 2n * GWEI, fee: 110n * GWEI }), s, 0);
    expect(ok(r2).replaced).toBeDefined();
  });
});

describe("replace-by-fee (same sender and nonce, --txpool.pricebump 10)", () => {
  const state = MapState.funded(1);
  const base = { from: 0, nonce: 0, tip: 100n * GWEI, fee: 200n * GWEI };

  it.each([
    ["+9 % on both", 109n, 218n, false],
    ["+10 % on the fee cap only", 101n, 220n, false],
    ["+10 % on the tip only", 110n, 201n, false],
    ["+10 % on both", 110n, 220n, true],
  ] as const)("%s", (_name, tip, fee, replaces) => {
    const { pool, events } = makePool();
    const old = input(base);
    ok(pool.add(old, state, 0));
    const r = pool.add(input({ ...base, tip: tip * GWEI, fee: fee * GWEI }), state, 1);
    if (!replaces) {
      expect(refusal(r).code).toBe(ErrorCode.TXPOOL_REPLACE_UNDERPRICED);
      expect(refusal(r).message).toMatch(/^replacement transaction underpriced/);
      expect(pool.has(old.hash)).toBe(true);
      return;
    }
    const added = ok(r);
    expect(hex(added.replaced!)).toBe(hex(old.hash));
    expect(pool.has(old.hash)).toBe(false);
    expect(pool.get(added.hash)?.status).toBe("pending");
    expect(pool.status()).toEqual({ pending: 1, queued: 0 });
    const replaced = events.find((e) => e.kind === "replaced");
    expect(replaced?.kind === "replaced" && hex(replaced.by.hash)).toBe(hex(added.hash));
  });

  it("a queued transaction is replaced under the same rule", () => {
    const { pool } = makePool();
    ok(pool.add(input({ ...base, nonce: 3 }), state, 0));
    expect(
      refusal(pool.add(input({ ...base, nonce: 3, tip: 109n * GWEI, fee: 218n * GWEI }), state, 0)).code,
    ).toBe(ErrorCode.TXPOOL_REPLACE_UNDERPRICED);
    const r = ok(pool.add(input({ ...base, nonce: 3, tip: 110n * GWEI, fee: 220n * GWEI }), state, 0));
    expect(r.status).toBe("queued");
    expect(r.replaced).toBeDefined();
    expect(pool.status()).toEqual({ pending: 0, queued: 1 });
  });
});

describe("structure: pending run and queued gap", () => {
  it("a gapped transaction waits in the queue and the gap-filler promotes the run", () => {
    const { pool, events } = makePool();
    const state = MapState.funded(1);
    expect(ok(pool.add(input({ from: 0, nonce: 2 }), state, 0)).status).toBe("queued");
    expect(ok(pool.add(input({ from: 0, nonce: 1 }), state, 0)).status).toBe("queued");
    expect(pool.status()).toEqual({ pending: 0, queued: 2 });
    expect(pool.pendingNonce(address(0), state)).toBe(0n);
    expect(ok(pool.add(input({ from: 0, nonce: 0 }), state, 0)).status).toBe("pending");
    expect(pool.status()).toEqual({ pending: 3, queued: 0 });
    expect(kinds(events, "promoted")).toEqual(["1", "2"]);
    expect(pool.pendingNonce(address(0), state)).toBe(3n);
    expect([...pool.contentFrom(address(0)).pending.keys()]).toEqual([0n, 1n, 2n]);
  });
});

describe("limits", () => {
  it("a per-account flood keeps the pool bounded and leaves room for other senders", () => {
    const { pool, events } = makePool();
    const state = MapState.funded(3);
    const results = Array.from({ length: 20 }, (_, n) => pool.add(input({ from: 0, nonce: n }), state, 0));
    // pending grows to globalSlots (accountSlots is a guaranteed minimum, not a cap, in an idle pool); the
    // next one is refused, so the ones after it are gapped: accountQueue of them wait, the rest are refused
    expect(results.slice(0, 8).every((r) => r.ok && r.status === "pending")).toBe(true);
    expect(refusal(results[8]!).code).toBe(ErrorCode.TXPOOL_FULL);
    expect(results.slice(9, 13).every((r) => r.ok && r.status === "queued")).toBe(true);
    for (const r of results.slice(13)) expect(refusal(r).code).toBe(ErrorCode.TXPOOL_ACCOUNT_LIMIT);
    expect(refusal(results[13]!).message).toMatch(/^account limit exceeded/);
    expect(pool.status()).toEqual({ pending: 8, queued: 4 });
    events.length = 0;
    // another sender still gets in: the flooder shrinks towards accountSlots
    expect(ok(pool.add(input({ from: 1, nonce: 0 }), state, 0)).status).toBe("pending");
    expect(pool.contentFrom(address(0)).pending.size).toBe(7);
    const dropped = events.filter((e) => e.kind === "dropped");
    expect(dropped.map((e) => e.kind === "dropped" && `${e.tx.nonce}:${e.reason}`)).toEqual([
      `7:${DropReason.GlobalSlots}`,
    ]);
    expect(pool.status()).toEqual({ pending: 8, queued: 4 });
  });

  it("truncatePending equalizes the largest remote accounts first and spares locals", () => {
    const { pool } = makePool({ globalSlots: 12, globalQueue: 100 });
    const state = MapState.funded(4);
    for (let n = 0; n < 6; n++) ok(pool.add(input({ from: 0, nonce: n }), state, 0));
    for (let n = 0; n < 6; n++) ok(pool.add(input({ from: 1, nonce: n, local: true }), state, 0));
    // pending 12: full. Sender 2 adds; sender 0 (remote, 6 > 4) shrinks, local sender 1 keeps 6
    ok(pool.add(input({ from: 2, nonce: 0 }), state, 0));
    ok(pool.add(input({ from: 2, nonce: 1 }), state, 0));
    expect(pool.contentFrom(address(0)).pending.size).toBe(4);
    expect(pool.contentFrom(address(1)).pending.size).toBe(6);
    expect(pool.status().pending).toBe(12);
  });

  it("truncateQueue drops from the remote accounts idle longest", () => {
    const { pool, events } = makePool({ globalQueue: 6, accountQueue: 4 });
    const state = MapState.funded(3);
    for (let n = 1; n <= 4; n++) ok(pool.add(input({ from: 0, nonce: n }), state, 0)); // beat 0
    for (let n = 1; n <= 2; n++) ok(pool.add(input({ from: 1, nonce: n }), state, 10)); // beat 10
    ok(pool.add(input({ from: 2, nonce: 1 }), state, 20));
    // 7 queued > 6: sender 0 (oldest) loses its highest nonce
    expect(pool.status().queued).toBe(6);
    expect([...pool.contentFrom(address(0)).queued.keys()]).toEqual([1n, 2n, 3n]);
    expect(events.filter((e) => e.kind === "dropped").map((e) => e.kind === "dropped" && e.reason)).toEqual([
      DropReason.GlobalQueue,
    ]);
  });

  describe("a full pool (16 slots)", () => {
    /** 4 senders x 4 pending; sender 0 pays 1 gwei, the others 5. */
    function fullPool(localSender?: number) {
      const made = makePool();
      const state = MapState.funded(8);
      for (let s = 0; s < 4; s++) {
        for (let n = 0; n < 4; n++) {
          const local = s === localSender;
          ok(made.pool.add(input({ from: s, nonce: n, tip: (s === 0 ? 1n : 5n) * GWEI, local }), state, 0));
        }
      }
      expect(made.pool.stats().slots).toBe(16);
      return { ...made, state };
    }

    it("refuses an underpriced newcomer", () => {
      const { pool, state } = fullPool();
      const r = refusal(pool.add(input({ from: 5, nonce: 0, tip: GWEI }), state, 0));
      expect(r.code).toBe(ErrorCode.TXPOOL_UNDERPRICED);
      expect(pool.size).toBe(16);
    });

    it("evicts the cheapest remote (highest nonce first) for a better-paying newcomer", () => {
      const { pool, state, events } = fullPool();
      ok(pool.add(input({ from: 5, nonce: 0, tip: 2n * GWEI }), state, 0));
      const evicted = events.filter((e) => e.kind === "evicted");
      expect(evicted.map((e) => `${hex(e.tx.sender)}:${e.tx.nonce}`)).toEqual([`${hex(address(0))}:3`]);
      expect(pool.size).toBe(16);
      expect(pool.stats().evicted).toBe(1);
    });

    it("evicting a pending transaction demotes the sender's later ones", () => {
      const { pool, state, events } = fullPool();
      // make sender 0's nonce 1 the cheapest by replacing 0, 2, 3 with dearer ones
      for (const n of [0, 2, 3])
        ok(pool.add(input({ from: 0, nonce: n, tip: 3n * GWEI, fee: 110n * GWEI }), state, 0));
      ok(pool.add(input({ from: 5, nonce: 0, tip: 2n * GWEI }), state, 0));
      expect(events.filter((e) => e.kind === "evicted").map((e) => `${e.tx.nonce}`)).toEqual(["1"]);
      expect(kinds(events, "demoted")).toEqual(["2", "3"]);
      const c = pool.contentFrom(address(0));
      expect([...c.pending.keys()]).toEqual([0n]);
      expect([...c.queued.keys()]).toEqual([2n, 3n]);
    });

    it("a gapped newcomer never evicts a pending transaction", () => {
      const { pool, state } = fullPool();
      const r = refusal(pool.add(input({ from: 5, nonce: 3, tip: 9n * GWEI }), state, 0));
      expect(r.code).toBe(ErrorCode.TXPOOL_FUTURE_REPLACE_PENDING);
      expect(r.message).toBe("future transaction tries to replace pending");
      expect(pool.size).toBe(16);
      // the heap was restored: a pending newcomer evicts as before
      ok(pool.add(input({ from: 5, nonce: 0, tip: 9n * GWEI }), state, 0));
      expect(pool.size).toBe(16);
    });

    it("a gapped newcomer may evict a cheaper queued one", () => {
      const { pool, events } = makePool();
      const state = MapState.funded(8);
      for (let s = 1; s < 4; s++)
        for (let n = 0; n < 4; n++) ok(pool.add(input({ from: s, nonce: n, tip: 5n * GWEI }), state, 0));
      for (let n = 1; n <= 4; n++) ok(pool.add(input({ from: 0, nonce: n, tip: GWEI }), state, 0)); // queued
      expect(pool.stats().slots).toBe(16);
      expect(ok(pool.add(input({ from: 5, nonce: 3, tip: 9n * GWEI }), state, 0)).status).toBe("queued");
      const evicted = events.filter((e) => e.kind === "evicted");
      expect(evicted.map((e) => `${hex(e.tx.sender)}:${e.tx.nonce}:${e.tx.status}`)).toEqual([
        `${hex(address(0))}:4:queued`,
      ]);
    });

    it("locals are never evicted; a local newcomer may exceed the limit", () => {
      const { pool, state, events } = fullPool(0); // sender 0 (the cheapest) is local
      expect(refusal(pool.add(input({ from: 5, nonce: 0, tip: 2n * GWEI }), state, 0)).code).toBe(
        ErrorCode.TXPOOL_UNDERPRICED, // the cheapest remote pays 5 gwei; sender 0's 1 gwei does not count
      );
      ok(pool.add(input({ from: 5, nonce: 0, tip: 6n * GWEI }), state, 0));
      const evicted = events.filter((e) => e.kind === "evicted");
      expect(evicted).toHaveLength(1);
      expect(hex(evicted[0]!.tx.sender)).not.toBe(hex(address(0)));
      expect(pool.contentFrom(address(0)).pending.size).toBe(4);
      // a local newcomer that pays little still gets in (evicting the cheapest remote)
      ok(pool.add(input({ from: 6, nonce: 0, tip: GWEI, local: true }), state, 0));
      expect(pool.size).toBe(16);
    });

    it("with only locals left a local newcomer goes over the limit and a remote one is refused", () => {
      const made = makePool();
      const state = MapState.funded(8);
      for (let s = 0; s < 4; s++)
        for (let n = 0; n < 4; n++) ok(made.pool.add(input({ from: s, nonce: n, local: true }), state, 0));
      ok(made.pool.add(input({ from: 4, nonce: 0, local: true }), state, 0));
      expect(made.pool.stats().slots).toBe(17);
      expect(refusal(made.pool.add(input({ from: 5, nonce: 0, tip: 50n * GWEI }), state, 0)).code).toBe(
        ErrorCode.TXPOOL_FULL,
      );
      expect(made.pool.locals()).toHaveLength(17);
    });

    it("locals stop at twice the pool's size: txpool is full", () => {
      const made = makePool(); // 16 slots in all (see makePool)
      const state = MapState.funded(40);
      let admitted = 0;
      for (let s = 0; s < 40; s++) {
        const r = made.pool.add(input({ from: s, nonce: 0, local: true }), state, 0);
        if (r.ok) admitted++;
        else expect(r.error.code).toBe(ErrorCode.TXPOOL_FULL);
      }
      expect(admitted).toBe(32);
      expect(made.pool.stats().slots).toBe(32);
    });
  });

  it("slots: a transaction takes ceil(size / 32 KiB) slots", () => {
    const { pool } = makePool({ globalSlots: 3, globalQueue: 1 });
    const state = MapState.funded(2);
    const big = input({ from: 0, nonce: 0, data: new Uint8Array(40_000), gas: 30_000_000n });
    ok(pool.add(big, state, 0));
    expect(pool.get(big.hash)?.slots).toBe(2);
    expect(pool.stats().slots).toBe(2);
  });
});

describe("chain events", () => {
  const cost = 21_000n * 100n * GWEI;

  it("a new head removes the included transactions and drops nonces consumed elsewhere", () => {
    const { pool, events } = makePool();
    const state = MapState.funded(2);
    const txs = [0, 1, 2].map((n) => input({ from: 0, nonce: n }));
    for (const t of txs) ok(pool.add(t, state, 0));
    state.set(0, 2n);
    pool.newHead({ head: { ...HEAD, number: 2n }, state, included: [txs[0]!.hash], now: 1 });
    expect(kinds(events, "included")).toEqual(["0"]);
    const dropped = events.filter((e) => e.kind === "dropped");
    expect(dropped.map((e) => e.kind === "dropped" && `${e.tx.nonce}:${e.reason}`)).toEqual([
      `1:${DropReason.NonceConsumed}`,
    ]);
    expect([...pool.contentFrom(address(0)).pending.keys()]).toEqual([2n]);
    expect(pool.stats().included).toBe(1);
  });

  it("a dropped balance drops the unpayable transaction and demotes the ones after it", () => {
    const { pool, events } = makePool();
    const state = new MapState().set(0, 0n, 10n * 10n ** 18n);
    ok(pool.add(input({ from: 0, nonce: 0 }), state, 0));
    ok(pool.add(input({ from: 0, nonce: 1, value: 5n * 10n ** 18n }), state, 0));
    ok(pool.add(input({ from: 0, nonce: 2 }), state, 0));
    state.set(0, 0n, 3n * 10n ** 18n);
    pool.newHead({ head: HEAD, state, included: [], now: 1 });
    const dropped = events.filter((e) => e.kind === "dropped");
    expect(dropped.map((e) => e.kind === "dropped" && `${e.tx.nonce}:${e.reason}`)).toEqual([
      `1:${DropReason.InsufficientFunds}`,
    ]);
    expect(kinds(events, "demoted")).toEqual(["2"]);
    const c = pool.contentFrom(address(0));
    expect([...c.pending.keys()]).toEqual([0n]);
    expect([...c.queued.keys()]).toEqual([2n]);
    expect(pool.pendingNonce(address(0), state)).toBe(1n);
    // the gap refilled: promoted again
    ok(pool.add(input({ from: 0, nonce: 1, value: 1n }), state, 2));
    expect([...pool.contentFrom(address(0)).pending.keys()]).toEqual([0n, 1n, 2n]);
    expect(cost).toBeGreaterThan(0n);
  });

  it("a lower block gas limit drops what no longer fits", () => {
    const { pool, events } = makePool();
    const state = MapState.funded(1);
    ok(pool.add(input({ from: 0, nonce: 0, gas: 100_000n }), state, 0));
    pool.newHead({ head: { ...HEAD, gasLimit: 50_000n }, state, included: [], now: 1 });
    expect(events.at(-1)).toMatchObject({ kind: "dropped", reason: DropReason.GasLimit });
    expect(pool.size).toBe(0);
  });

  it("a reorg re-injects the dropped blocks' transactions (locals stay local, no price limit)", () => {
    const { pool } = makePool({ priceLimit: 2n * GWEI });
    const state = MapState.funded(2);
    const a = input({ from: 0, nonce: 0, tip: 3n * GWEI });
    const b = input({ from: 0, nonce: 1, tip: 3n * GWEI });
    const l = input({ from: 1, nonce: 0, tip: GWEI, local: true });
    for (const t of [a, b, l]) ok(pool.add(t, state, 0));
    state.set(0, 2n).set(1, 1n);
    pool.newHead({ head: { ...HEAD, number: 2n }, state, included: [a.hash, b.hash, l.hash], now: 1 });
    expect(pool.size).toBe(0);
    // the block is reorged out: back to the old state, its transactions re-injected
    state.set(0, 0n).set(1, 0n);
    const cheapRemote = input({ from: 0, nonce: 2, tip: GWEI }); // below the price limit, was in the block too
    const results = pool.newHead({
      head: { ...HEAD, number: 2n },
      state,
      included: [],
      reinject: [a, b, l, cheapRemote],
      now: 2,
    });
    expect(results.map((r) => r.ok && r.status)).toEqual(["pending", "pending", "pending", "pending"]);
    expect([...pool.contentFrom(address(0)).pending.keys()]).toEqual([0n, 1n, 2n]);
    expect(pool.get(l.hash)?.local).toBe(true);
    expect(pool.locals().map((t) => hex(t.hash))).toEqual([hex(l.hash)]);
    // re-injecting what the pool holds is harmless
    const again = pool.newHead({ head: HEAD, state, included: [], reinject: [a], now: 3 });
    expect(again.map((r) => !r.ok && r.error.code)).toEqual([ErrorCode.TXPOOL_ALREADY_KNOWN]);
    expect(pool.size).toBe(4);
  });

  it("a reorg to a lower nonce demotes a run that no longer starts at the state nonce", () => {
    const { pool, events } = makePool();
    const state = new MapState().set(0, 3n);
    ok(pool.add(input({ from: 0, nonce: 3 }), state, 0));
    state.set(0, 2n);
    pool.newHead({ head: HEAD, state, included: [], now: 1 });
    expect(kinds(events, "demoted")).toEqual(["3"]);
    expect(pool.status()).toEqual({ pending: 0, queued: 1 });
  });

  it("a queued account idle beyond the lifetime loses its queue; pending and locals stay", () => {
    const { pool, events } = makePool();
    const state = MapState.funded(3);
    ok(pool.add(input({ from: 0, nonce: 2 }), state, 0));
    ok(pool.add(input({ from: 0, nonce: 5 }), state, 0));
    ok(pool.add(input({ from: 1, nonce: 3, local: true }), state, 0));
    ok(pool.add(input({ from: 2, nonce: 0 }), state, 0));
    expect(pool.expire(60_000)).toBe(0);
    // a promotion refreshes the heartbeat: nonce 2 moves up at 50 s, nonce 5 stays queued
    ok(pool.add(input({ from: 0, nonce: 0 }), state, 50_000));
    ok(pool.add(input({ from: 0, nonce: 1 }), state, 50_000));
    expect(pool.expire(100_000)).toBe(0);
    expect(pool.expire(110_001)).toBe(1);
    expect(events.at(-1)).toMatchObject({ kind: "dropped", reason: DropReason.Lifetime });
    expect(pool.status()).toEqual({ pending: 4, queued: 1 }); // sender 0's 0..2, sender 2's 0; the local queued
  });
});

describe("views", () => {
  it("content, status, stats and lookups by hash or hex", () => {
    const { pool } = makePool();
    const state = MapState.funded(2);
    const t = input({ from: 0, nonce: 0 });
    ok(pool.add(t, state, 0));
    ok(pool.add(input({ from: 1, nonce: 4 }), state, 0));
    expect(pool.has(hex(t.hash).toUpperCase().replace("0X", "0x"))).toBe(true);
    expect(pool.get(t.hash)?.hashHex).toBe(hex(t.hash));
    const content = pool.content();
    expect([...content.keys()].sort()).toEqual([hex(address(0)), hex(address(1))].sort());
    expect(content.get(hex(address(1)))?.queued.get(4n)?.nonce).toBe(4n);
    expect(pool.contentFrom(new Uint8Array(20)).pending.size).toBe(0);
    expect(pool.stats()).toMatchObject({ pending: 1, queued: 1, slots: 2, accounts: 2, added: 2 });
    expect(pool.pendingNonce(new Uint8Array(20), state)).toBe(0n);
    expect(CHAIN_ID).toBe(pool.config.chainId);
  });

  it("refuses a bad configuration with a typed error", () => {
    expect(() => makePool({ globalSlots: 0 })).toThrow(/globalSlots must be a positive integer/);
    expect(() => makePool({ priceBump: -1n })).toThrow(/priceBump/);
  });
});
