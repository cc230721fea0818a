/**
 * Deterministic network simulations of a 7-validator committee (virtual time, seeded latency, drops,
 * reordering, clock drift): safety (every validator's commit sequence is a prefix of the longest, commit
 * indices never repeat) and liveness (commits continue through crashes and resume within a bound after a
 * partition heals) across seeds. Seeds print in every assertion message; re-run one with SIM_SEEDS=5 or
 * run a longer soak with SIM_SOAK=50 (that many seeds per scenario).
 */
import { describe, expect, it } from "vitest";
import { bimodalLatency, uniformLatency, wanLatency } from "./sim/network.ts";
import { DEFAULT_SIM, type SimConfig, Simulation } from "./sim/simulation.ts";
import { seedsFrom } from "./utils/random.ts";

const SOAK = Number(process.env.SIM_SOAK ?? 0);
const SEEDS = seedsFrom("SIM_SEEDS", SOAK > 0 ? Array.from({ length: SOAK }, (_, i) => 1000 + i) : [1, 2, 3]);

function sim(seed: number, over: Partial<SimConfig> = {}): Simulation {
  return new Simulation({ ...DEFAULT_SIM, seed, ...over });
}

function assertSafe(s: Simulation, where: string): void {
  expect(s.checkSafety(), `${where}: ${s.summary()}`).toBeUndefined();
}

/** No honest validator ever signed two blocks for one round (checked across every store). */
function assertNoEquivocation(s: Simulation, where: string): void {
  const slots = new Map<string, string>();
  for (const n of s.nodes) {
    for (const b of n.store.scanBlocks(1)) {
      const slot = `${b.round}/${b.author}`;
      const prev = slots.get(slot);
      expect(prev === undefined || prev === b.key, `${where}: two blocks for slot ${slot}`).toBe(true);
      slots.set(slot, b.key);
    }
  }
}

/** Highest leader round among the commits node `n` made in [fromMs, toMs) (0 if none). */
function maxLeaderRound(s: Simulation, n: number, fromMs: number, toMs: number): number {
  const start = s.t.committee.epochStartMs;
  const commits = s.nodes[n]!.commits.filter((c) => c.at >= start + fromMs && c.at < start + toMs);
  return Math.max(0, ...commits.map((c) => c.leaderRound));
}

describe("network simulator", () => {
  for (const seed of SEEDS) {
    it(`all up, bimodal latency, 2% drops, clock drift: safe and live (seed ${seed})`, () => {
      const s = sim(seed, {
        latency: bimodalLatency,
        dropRate: 0.02,
        drift: new Map([
          [1, 50],
          [2, 100],
          [3, 120],
        ]),
      });
      s.runUntil(6000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      for (const n of s.nodes) expect(n.commits.length, `${where}: ${s.summary()}`).toBeGreaterThan(40);
      // nobody lags far behind the longest sequence
      const longest = s.longest().length;
      for (const n of s.nodes) expect(longest - n.commits.length, where).toBeLessThan(10);
    });

    it(`crash and restart from the store: others keep committing, the node catches up (seed ${seed})`, () => {
      const s = sim(seed);
      s.at(2000, () => s.nodes[3]!.crash());
      s.at(4000, () => s.nodes[3]!.start());
      s.runUntil(7000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      assertNoEquivocation(s, where);
      for (const n of [0, 1, 2, 4, 5, 6]) expect(s.commitsBetween(n, 2200, 4000), where).toBeGreaterThan(10);
      expect(s.commitsBetween(3, 2200, 4000), where).toBe(0);
      expect(s.longest().length - s.nodes[3]!.commits.length, `${where}: ${s.summary()}`).toBeLessThan(10);
    });

    it(`partition without quorum on either side stalls, then commits resume within 2 s of healing (seed ${seed})`, () => {
      const s = sim(seed, { latency: uniformLatency });
      let roundAtSplit = 0;
      s.at(2000, () => {
        s.net.partition([
          [0, 1, 2],
          [3, 4, 5, 6],
        ]);
        roundAtSplit = Math.max(...s.nodes.map((n) => n.core?.lastProposedRound ?? 0));
      });
      s.at(4000, () => s.net.heal());
      s.runUntil(7000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      // stalled: no new round while split (late deliveries within a side may still commit older leaders)
      for (const n of s.nodes) {
        expect(maxLeaderRound(s, n.id, 2000, 4000), `${where} n${n.id}`).toBeLessThanOrEqual(roundAtSplit);
      }
      // liveness: every validator commits again within 2 s of the heal
      for (const n of s.nodes)
        expect(s.commitsBetween(n.id, 4000, 6000), `${where} n${n.id}`).toBeGreaterThan(0);
      expect(s.longest().length - Math.min(...s.nodes.map((n) => n.commits.length)), where).toBeLessThan(10);
    });

    it(`majority partition keeps committing; the minority catches up after the heal (seed ${seed})`, () => {
      const s = sim(seed, { latency: wanLatency });
      let roundAtSplit = 0;
      s.at(2000, () => {
        s.net.partition([
          [0, 1, 2, 3, 4],
          [5, 6],
        ]);
        roundAtSplit = Math.max(...s.nodes.map((n) => n.core?.lastProposedRound ?? 0));
      });
      s.at(5000, () => s.net.heal());
      s.runUntil(9000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      // WAN latency with 1% stragglers of up to 1.5 s: the majority (exactly a quorum) is slow but live
      for (const n of [0, 1, 2, 3, 4]) expect(s.commitsBetween(n, 2500, 5000), where).toBeGreaterThan(2);
      for (const n of [5, 6])
        expect(maxLeaderRound(s, n, 2000, 5000), where).toBeLessThanOrEqual(roundAtSplit);
      expect(
        s.longest().length - Math.min(...s.nodes.map((n) => n.commits.length)),
        `${where}: ${s.summary()}`,
      ).toBeLessThan(10);
    });

    it(`late joiner syncs the DAG from genesis and commits the same sequence (seed ${seed})`, () => {
      const s = sim(seed, { startAt: new Map([[6, 3000]]) });
      s.runUntil(7000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      expect(s.nodes[6]!.commits.length, `${where}: ${s.summary()}`).toBeGreaterThan(s.longest().length - 10);
    });
  }

  it("f = 2 Byzantine validators equivocating on every block: honest validators stay safe and live", () => {
    for (const seed of SEEDS) {
      const s = sim(seed, { equivocators: [2, 5], latency: bimodalLatency });
      s.runUntil(5000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      for (const n of [0, 1, 3, 4, 6])
        expect(s.nodes[n]!.commits.length, `${where}: ${s.summary()}`).toBeGreaterThan(20);
      // the equivocation really reached the honest validators: some slot of 2 or 5 holds two blocks
      const versions = new Map<string, Set<string>>();
      for (const n of s.nodes) {
        for (const b of n.store.scanBlocks(1)) {
          if (b.author !== 2 && b.author !== 5) continue;
          const slot = `${b.round}/${b.author}`;
          versions.set(slot, (versions.get(slot) ?? new Set()).add(b.key));
        }
      }
      expect(
        [...versions.values()].some((v) => v.size > 1),
        where,
      ).toBe(true);
    }
  });

  it("a validator joining far behind (peers keep only GC-depth blocks in memory) catches up by commit sync", () => {
    for (const seed of SEEDS) {
      const s = sim(seed, { startAt: new Map([[6, 6000]]), serveFromStore: false });
      s.runUntil(11_000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      const late = s.nodes[6]!;
      // its first commits came certified (index 1 onwards, identical to everyone's) and it follows live after
      expect(late.commits[0]?.index, where).toBe(1);
      expect(late.commits.length, `${where}: ${s.summary()}`).toBeGreaterThan(s.longest().length - 10);
      expect(late.commitSyncRejects, where).toBe(0);
    }
  });

  it("amnesia: a wiped validator re-learns its last block before proposing, never equivocates", () => {
    for (const seed of SEEDS.slice(0, 2)) {
      const s = sim(seed);
      s.at(3000, () => s.nodes[2]!.crash());
      s.at(3500, () => s.nodes[2]!.start(true));
      s.runUntil(7000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      assertNoEquivocation(s, where);
      expect(s.nodes[2]!.commits.length, `${where}: ${s.summary()}`).toBeGreaterThan(s.longest().length - 10);
    }
  });

  it("10 validators with unequal stake (2f+1 by stake, not by count) stay safe and live", () => {
    const stakes = [5, 1, 1, 2, 3, 1, 1, 4, 1, 1]; // total 20, quorum 14
    for (const seed of SEEDS.slice(0, 2)) {
      const s = sim(seed, { stakes, latency: bimodalLatency, dropRate: 0.01 });
      s.at(2000, () => s.nodes[4]!.crash()); // stake 3 of 20 goes down: 17 ≥ 14 remain
      s.runUntil(5000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      for (let n = 0; n < stakes.length; n++) {
        if (n !== 4)
          expect(s.commitsBetween(n, 2500, 5000), `${where} n${n}: ${s.summary()}`).toBeGreaterThan(10);
      }
    }
  });

  it("leader reputation (window 20): a crashed validator loses its leader slots; restart rebuilds the schedule", () => {
    let compared = 0;
    for (const seed of SEEDS.slice(0, 2)) {
      const s = sim(seed, { core: { ...DEFAULT_SIM.core, reputationWindow: 20 } });
      let slotsOfCrashed = -1;
      s.at(1500, () => s.nodes[5]!.crash());
      // after windows scored while 5 was down, the schedule no longer elects it (≈1/7 of slots otherwise)
      s.at(4000, () => {
        const core = s.nodes[0]!.core!;
        slotsOfCrashed = 0;
        for (let r = core.round; r < core.round + 140; r++) if (core.leaderAt(r) === 5) slotsOfCrashed++;
      });
      s.at(4500, () => s.nodes[5]!.start());
      s.runUntil(8000);
      const where = `seed ${seed}`;
      assertSafe(s, where);
      assertNoEquivocation(s, where);
      expect(slotsOfCrashed, where).toBe(0);
      expect(s.nodes[5]!.commits.length, `${where}: ${s.summary()}`).toBeGreaterThan(s.longest().length - 10);
      // the restarted validator rebuilt the same schedule from its store (compared when both sit in the
      // same reputation window: the schedule legitimately changes at window boundaries)
      const [a, b] = [s.nodes[0]!.core!, s.nodes[5]!.core!];
      if (Math.floor(a.lastCommitIndex / 20) === Math.floor(b.lastCommitIndex / 20)) {
        compared++;
        for (let r = a.round; r < a.round + 50; r++) expect(b.leaderAt(r), where).toBe(a.leaderAt(r));
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it("the same seed gives the same run", () => {
    const a = sim(9, { dropRate: 0.05 });
    const b = sim(9, { dropRate: 0.05 });
    a.runUntil(3000);
    b.runUntil(3000);
    expect(a.nodes.map((n) => n.commits.map((c) => `${c.digest}@${c.at}`))).toEqual(
      b.nodes.map((n) => n.commits.map((c) => `${c.digest}@${c.at}`)),
    );
    expect(a.net.sent).toBe(b.net.sent);
  });
});
