/**
 * What a DAG block takes from the pool: executable transactions, per sender in nonce order, best effective
 * tip first across senders, within count/byte/gas caps; in-flight marking, the remote delay, seen-in-DAG,
 * the proposal timeout and returnToPending (SMALL: remote delay 1 s, proposal timeout 5 s).
 */
import { describe, expect, it } from "vitest";
import type { PoolTx, SelectOptions } from "../../../../node/txpool/index.ts";
import { address, GWEI, HEAD, hex, input, MapState, makePool, type TxSpec } from "./poolFixtures.ts";

const ROOM: Omit<SelectOptions, "now"> = { maxCount: 100, maxBytes: 1 << 20, maxGas: 30_000_000n };

function names(txs: readonly PoolTx[], senders: readonly string[]): string[] {
  return txs.map((t) => `${senders.indexOf(t.senderHex)}:${t.nonce}`);
}

function setup(specs: readonly TxSpec[], config = {}) {
  const made = makePool({ globalSlots: 64, globalQueue: 64, accountSlots: 16, ...config });
  const state = MapState.funded(6);
  for (const s of specs) {
    const r = made.pool.add(input(s), state, 0);
    if (!r.ok) throw r.error;
  }
  const keys = [0, 1, 2, 3, 4, 5].map((i) => hex(address(i)));
  return { ...made, state, keys };
}

describe("selection order", () => {
  it("best effective tip first across senders, nonce order within each", () => {
    const { pool, keys } = setup([
      { from: 0, nonce: 0, tip: 3n * GWEI, local: true },
      { from: 0, nonce: 1, tip: (3n * GWEI) / 2n, local: true },
      { from: 1, nonce: 1, tip: 2n * GWEI, local: true }, // arrives before its nonce 0
      { from: 1, nonce: 0, tip: 2n * GWEI, local: true },
      { from: 2, nonce: 0, tip: GWEI, local: true },
      { from: 2, nonce: 1, tip: 5n * GWEI, local: true }, // high tip, but behind its nonce 0
    ]);
    const got = pool.selectForProposal({ ...ROOM, now: 0 });
    expect(names(got, keys)).toEqual(["0:0", "1:0", "1:1", "0:1", "2:0", "2:1"]);
    expect(got.every((t) => t.proposedAt === 0)).toBe(true);
  });

  it("orders by the effective tip at the base fee and skips a fee cap below it", () => {
    const head = { ...HEAD, baseFee: 10n * GWEI };
    const made = makePool({}, head);
    const state = MapState.funded(3);
    const a = input({ from: 0, nonce: 0, tip: 5n * GWEI, fee: 12n * GWEI, local: true }); // effective 2 gwei
    const b = input({ from: 1, nonce: 0, tip: 3n * GWEI, fee: 100n * GWEI, local: true }); // effective 3 gwei
    const c = input({ from: 2, nonce: 0, tip: GWEI, fee: 9n * GWEI, local: true }); // cannot pay the base fee
    for (const t of [a, b, c]) expect(made.pool.add(t, state, 0).ok).toBe(true);
    const got = made.pool.selectForProposal({ ...ROOM, now: 0 });
    expect(got.map((t) => t.hashHex)).toEqual([hex(b.hash), hex(a.hash)]);
    // a lower base fee on the next head makes c proposable and reorders a before b
    made.pool.newHead({ head: { ...head, baseFee: GWEI }, state, included: [], now: 1 });
    made.pool.returnToPending([a.hash, b.hash], 1);
    const next = made.pool.selectForProposal({ ...ROOM, now: 1 });
    expect(next.map((t) => t.nonce)).toHaveLength(3);
    expect(next[0]!.hashHex).toBe(hex(a.hash));
  });
});

describe("caps", () => {
  const many: TxSpec[] = [];
  for (let s = 0; s < 3; s++)
    for (let n = 0; n < 4; n++) many.push({ from: s, nonce: n, tip: BigInt(3 - s) * GWEI, local: true });

  it("by count", () => {
    const { pool, keys } = setup(many);
    expect(names(pool.selectForProposal({ ...ROOM, maxCount: 5, now: 0 }), keys)).toEqual([
      "0:0",
      "0:1",
      "0:2",
      "0:3",
      "1:0",
    ]);
  });

  it("by bytes", () => {
    const { pool } = setup(many);
    const size = input(many[0]!).raw.length;
    const got = pool.selectForProposal({ ...ROOM, maxBytes: size * 3 + size - 1, now: 0 });
    expect(got).toHaveLength(3);
    expect(got.reduce((n, t) => n + t.size, 0)).toBeLessThanOrEqual(size * 4 - 1);
  });

  it("by gas: a sender whose next transaction does not fit is passed over, the others go on", () => {
    const { pool, keys } = setup([
      { from: 0, nonce: 0, tip: 9n * GWEI, gas: 100_000n, local: true },
      { from: 0, nonce: 1, tip: 9n * GWEI, local: true },
      { from: 1, nonce: 0, tip: 2n * GWEI, local: true },
      { from: 1, nonce: 1, tip: 2n * GWEI, local: true },
    ]);
    const got = pool.selectForProposal({ ...ROOM, maxGas: 63_000n, now: 0 });
    expect(names(got, keys)).toEqual(["1:0", "1:1"]);
    expect(got.reduce((g, t) => g + t.gasLimit, 0n)).toBeLessThanOrEqual(63_000n);
  });
});

describe("in flight, remote delay, seen in the DAG, timeout, returned", () => {
  it("a selected transaction is in flight: the next call takes the sender's next nonce", () => {
    const { pool, keys } = setup([
      { from: 0, nonce: 0, local: true },
      { from: 0, nonce: 1, local: true },
    ]);
    expect(names(pool.selectForProposal({ ...ROOM, maxCount: 1, now: 0 }), keys)).toEqual(["0:0"]);
    expect(names(pool.selectForProposal({ ...ROOM, maxCount: 1, now: 1 }), keys)).toEqual(["0:1"]);
    expect(pool.selectForProposal({ ...ROOM, now: 2 })).toEqual([]);
    // not included within the proposal timeout: proposable again
    expect(names(pool.selectForProposal({ ...ROOM, now: 5_000 }), keys)).toEqual(["0:0"]);
    expect(names(pool.selectForProposal({ ...ROOM, now: 5_001 }), keys)).toEqual(["0:1"]);
  });

  it("a remote transaction waits for its own validator, then this one proposes it", () => {
    const { pool, keys } = setup([{ from: 0, nonce: 0 }]);
    expect(pool.selectForProposal({ ...ROOM, now: 999 })).toEqual([]);
    expect(names(pool.selectForProposal({ ...ROOM, now: 1_000 }), keys)).toEqual(["0:0"]);
  });

  it("seen in another validator's DAG block: held off for the delay, from the sighting", () => {
    const { pool, keys } = setup([
      { from: 0, nonce: 0 },
      { from: 1, nonce: 0, local: true },
    ]);
    const remote = input({ from: 0, nonce: 0 });
    const local = input({ from: 1, nonce: 0, local: true });
    pool.markSeenInDag([remote.hash, local.hash], 900);
    expect(pool.selectForProposal({ ...ROOM, now: 1_000 })).toEqual([]);
    expect(names(pool.selectForProposal({ ...ROOM, now: 1_900 }), keys)).toEqual(["0:0", "1:0"]); // equal tips: first admitted first
    expect(pool.get(remote.hash)?.seenInDagAt).toBe(900);
  });

  it("a DAG block never carries nonce N+1 without N: a young remote N holds back a local N+1", () => {
    const { pool, keys } = setup([
      { from: 0, nonce: 0 },
      { from: 0, nonce: 1, local: true },
    ]);
    expect(pool.selectForProposal({ ...ROOM, now: 0 })).toEqual([]);
    // once N is in flight elsewhere (seen in a DAG block), N+1 may follow it
    pool.markSeenInDag([input({ from: 0, nonce: 0 }).hash], 10);
    expect(names(pool.selectForProposal({ ...ROOM, now: 20 }), keys)).toEqual(["0:1"]);
  });

  it("returnToPending: what this validator proposed is proposable at once; another's waits the delay", () => {
    const { pool, keys } = setup([
      { from: 0, nonce: 0, local: true },
      { from: 1, nonce: 0 },
    ]);
    const mine = input({ from: 0, nonce: 0, local: true });
    const theirs = input({ from: 1, nonce: 0 });
    pool.markSeenInDag([theirs.hash], 0);
    expect(names(pool.selectForProposal({ ...ROOM, now: 10 }), keys)).toEqual(["0:0"]);
    pool.returnToPending([mine.hash, theirs.hash], 20);
    expect(pool.get(mine.hash)?.proposedAt).toBeUndefined();
    expect(names(pool.selectForProposal({ ...ROOM, now: 21 }), keys)).toEqual(["0:0"]);
    expect(names(pool.selectForProposal({ ...ROOM, now: 1_020 }), keys)).toEqual(["1:0"]);
    // proposed here once, a returned remote one is also proposable at once
    pool.returnToPending([theirs.hash], 1_030);
    expect(names(pool.selectForProposal({ ...ROOM, now: 1_031 }), keys)).toEqual(["1:0"]);
  });

  it("a queued transaction is never selected; inclusion moves the sender on", () => {
    const { pool, state, keys } = setup([
      { from: 0, nonce: 0, local: true },
      { from: 0, nonce: 2, local: true },
    ]);
    const first = pool.selectForProposal({ ...ROOM, now: 0 });
    expect(names(first, keys)).toEqual(["0:0"]);
    state.set(0, 1n);
    pool.newHead({ head: HEAD, state, included: [first[0]!.hash], now: 1 });
    expect(pool.selectForProposal({ ...ROOM, now: 2 })).toEqual([]);
    expect(pool.add(input({ from: 0, nonce: 1, local: true }), state, 3).ok).toBe(true);
    expect(names(pool.selectForProposal({ ...ROOM, now: 4 }), keys)).toEqual(["0:1", "0:2"]);
  });
});
