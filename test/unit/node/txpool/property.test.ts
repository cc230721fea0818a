/**
 * A seeded property test: random interleavings of add, new head (inclusion, nonces consumed elsewhere,
 * balance drops, base fee moves), reorg (back to an earlier state with the dropped blocks' transactions
 * re-injected), selection, seen-in-DAG, returns and expiry keep the pool's invariants:
 * - each sender's pending run starts at the state nonce and is contiguous; its queue lies beyond the run;
 * - no transaction sits in two places (pending, queued and the hash index agree; counters match);
 * - every count stays within its limit, except geth's documented local exceptions;
 * - a selection never carries a sender's nonce N+1 unless N is in flight, included or before it.
 * Sender 0 only sends local transactions, senders 1-4 only remote ones.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hexToBytes } from "../../../../node/core/hex.ts";
import type { PoolTxInput, TxPool, TxPoolConfig } from "../../../../node/txpool/index.ts";
import { address, GWEI, HEAD, hex, input, MapState, makePool } from "./poolFixtures.ts";

const SENDERS = 5;
const LIMITS: Partial<TxPoolConfig> = {
  accountSlots: 2,
  globalSlots: 6,
  accountQueue: 2,
  globalQueue: 3,
  lifetimeMs: 5_000,
  remoteProposalDelayMs: 500,
  proposalTimeoutMs: 2_000,
};
const BALANCE = 10n ** 18n;

type Op =
  | { op: "add"; from: number; ahead: number; level: number; value: boolean }
  | { op: "head"; from: number; include: number; elsewhere: boolean; poorer: boolean; baseFee: number }
  | { op: "reorg" }
  | { op: "select"; maxCount: number; seen: boolean }
  | { op: "return" }
  | { op: "tick"; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("add" as const),
      from: fc.integer({ min: 0, max: SENDERS - 1 }),
      ahead: fc.integer({ min: -2, max: 4 }),
      level: fc.integer({ min: 1, max: 5 }),
      value: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("head" as const),
      from: fc.integer({ min: 0, max: SENDERS - 1 }),
      include: fc.integer({ min: 0, max: 3 }),
      elsewhere: fc.boolean(),
      poorer: fc.boolean(),
      baseFee: fc.constantFrom(1, 5, 20, 65),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "reorg" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("select" as const),
      maxCount: fc.integer({ min: 1, max: 6 }),
      seen: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "return" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 3_000 }) }),
  },
);

interface Block {
  /** the state before it */
  readonly before: Map<string, { nonce: bigint; balance: bigint }>;
  readonly txs: PoolTxInput[];
}

function checkInvariants(pool: TxPool, state: MapState, cfg: TxPoolConfig): void {
  const seen = new Set<string>();
  let pending = 0;
  let queued = 0;
  let slots = 0;
  let remoteTxs = 0;
  let remoteQueued = 0;
  let remoteOverSlots = false;
  for (const [sender, c] of pool.content()) {
    const local = sender === hex(address(0));
    const nonce = state.account(hexToBytes(sender)).nonce;
    expect(c.pending.size + c.queued.size).toBeGreaterThan(0);
    let expectNonce = nonce;
    for (const [n, t] of c.pending) {
      expect(n).toBe(expectNonce); // the run starts at the state nonce and is contiguous
      expect(t.status).toBe("pending");
      expectNonce++;
    }
    for (const [n, t] of c.queued) {
      expect(n).toBeGreaterThan(expectNonce); // beyond the run, behind a gap
      expect(t.status).toBe("queued");
    }
    for (const t of [...c.pending.values(), ...c.queued.values()]) {
      expect(seen.has(t.hashHex)).toBe(false); // one place only
      seen.add(t.hashHex);
      expect(t.senderHex).toBe(sender);
      expect(pool.get(t.hash)).toBe(t);
      slots += t.slots;
      if (!local) remoteTxs++;
    }
    pending += c.pending.size;
    queued += c.queued.size;
    if (!local) {
      expect(c.queued.size).toBeLessThanOrEqual(cfg.accountQueue);
      remoteQueued += c.queued.size;
      if (c.pending.size > cfg.accountSlots) remoteOverSlots = true;
    }
  }
  expect(pool.size).toBe(seen.size);
  expect(pool.status()).toEqual({ pending, queued });
  expect(pool.stats().slots).toBe(slots);
  // limits, with the local exceptions: locals are never truncated, a local newcomer may exceed the size
  if (queued > cfg.globalQueue) expect(remoteQueued).toBe(0);
  if (pending > cfg.globalSlots) expect(remoteOverSlots).toBe(false);
  if (slots > cfg.globalSlots + cfg.globalQueue) expect(remoteTxs).toBe(0);
}

function run(ops: readonly Op[]): void {
  const { pool } = makePool(LIMITS);
  const cfg = pool.config;
  const state = MapState.funded(SENDERS, BALANCE);
  const chain: Block[] = [];
  const byHash = new Map<string, PoolTxInput>();
  let now = 0;
  let baseFee = HEAD.baseFee;
  let number = HEAD.number;
  let lastSelected: string[] = [];
  for (const o of ops) {
    switch (o.op) {
      case "add": {
        // around the pool's next nonce: mostly extending the run, sometimes a replacement or a gap
        const nonce = pool.pendingNonce(address(o.from), state) + BigInt(o.ahead < 2 ? o.ahead : o.ahead - 1);
        if (nonce < 0n) break;
        const tip = BigInt(o.level) * GWEI;
        const t = input({
          from: o.from,
          nonce,
          tip,
          fee: tip * 2n + 50n * GWEI,
          value: o.value ? BALANCE / 8n : 0n,
          local: o.from === 0,
        });
        byHash.set(hex(t.hash), t);
        const r = pool.add(t, state, now);
        if (r.ok) expect(pool.has(t.hash)).toBe(true);
        else expect(r.error.code.startsWith("TXPOOL_")).toBe(true);
        break;
      }
      case "head": {
        const before = new Map(state.accounts);
        const a = address(o.from);
        const acct = state.account(a);
        const run = [...pool.contentFrom(a).pending.values()].slice(0, o.include);
        const txs = run.map((t) => byHash.get(t.hashHex)!);
        let nonce = acct.nonce + BigInt(run.length);
        if (o.elsewhere) nonce++; // a transaction from outside this pool consumed the next nonce
        const spent = txs.reduce((s, t) => s + t.tx.value, 0n);
        const balance = o.poorer ? (acct.balance - spent) / 4n : acct.balance - spent;
        state.set(o.from, nonce, balance < 0n ? 0n : balance);
        baseFee = BigInt(o.baseFee) * GWEI;
        number++;
        chain.push({ before, txs });
        pool.newHead({
          head: { ...HEAD, number, baseFee },
          state,
          included: txs.map((t) => t.hash),
          now,
        });
        for (const t of txs) expect(pool.has(t.hash)).toBe(false);
        break;
      }
      case "reorg": {
        const block = chain.pop();
        if (block === undefined) break;
        state.accounts.clear();
        for (const [k, v] of block.before) state.accounts.set(k, v);
        number--;
        pool.newHead({ head: { ...HEAD, number, baseFee }, state, included: [], reinject: block.txs, now });
        break;
      }
      case "select": {
        const got = pool.selectForProposal({
          maxCount: o.maxCount,
          maxBytes: 1 << 20,
          maxGas: 10_000_000n,
          now,
        });
        const chosen = new Set(got.map((t) => t.hashHex));
        for (const t of got) {
          expect(t.status).toBe("pending");
          expect(t.proposedAt).toBe(now);
          // every pending nonce below it is in flight (here or elsewhere) or selected in this call
          for (const [n, p] of pool.contentFrom(t.sender).pending) {
            if (n >= t.nonce) break;
            expect(chosen.has(p.hashHex) || p.proposedAt !== undefined || p.seenInDagAt !== undefined).toBe(
              true,
            );
          }
        }
        lastSelected = [...chosen];
        if (o.seen) pool.markSeenInDag(got.map((t) => t.hash).slice(0, 1), now);
        break;
      }
      case "return":
        pool.returnToPending(
          lastSelected.map((h) => hexToBytes(h)),
          now,
        );
        break;
      case "tick":
        now += o.ms;
        pool.expire(now);
        break;
    }
    checkInvariants(pool, state, cfg);
  }
}

describe("txpool invariants under random interleavings", () => {
  it("hold for every seeded run", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 80, size: "max" }), (ops) => run(ops)),
      { seed: 20_256, numRuns: 100 },
    );
  });
});
