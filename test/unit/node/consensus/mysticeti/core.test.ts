import { describe, expect, it } from "vitest";
import { ZERO_DIGEST } from "../../../../../node/consensus/mysticeti/commit.ts";
import { verifyCommitRange } from "../../../../../node/consensus/mysticeti/commitCertification.ts";
import { committedSubDagsAfter } from "../../../../../node/consensus/mysticeti/commitReplay.ts";
import {
  LeaderSchedule,
  RoundRobinElection,
} from "../../../../../node/consensus/mysticeti/leaderSchedule.ts";
import { createCore } from "../../../../../node/consensus/mysticeti/recovery.ts";
import { MemoryConsensusStore } from "../../../../../node/consensus/mysticeti/store.ts";
import { CoreHarness } from "../../../../consensus/utils/coreHarness.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

const t = testCommittee(4);
const OPTS = { leaderTimeoutMs: 200, minRoundDelayMs: 50, gcDepth: 10 };

/** The four-core harness, on this file's committee and options. */
class Harness extends CoreHarness {
  constructor() {
    super(t, OPTS);
  }
}

describe("Core", () => {
  it("proposes, commits, and all validators agree", () => {
    const h = new Harness();
    h.run(2000);
    expect(h.commits[0]!.length).toBeGreaterThan(20);
    // everyone live: no proposal waited out a leader
    for (const c of h.cores) expect(c.counters.leaderTimeouts).toBe(0);
    for (let i = 1; i < 4; i++) expect(h.commits[i]).toEqual(h.commits[0]!.slice(0, h.commits[i]!.length));
    // consecutive commit indices, starting at 1
    h.commits[0]!.forEach((c, k) => {
      expect(c.startsWith(`${k + 1}:`)).toBe(true);
    });
  });

  it("persists its own block in the same step that broadcasts it, own previous block first", () => {
    const h = new Harness();
    h.run(500);
    let proposals = 0;
    for (const out of h.outputs[1]!) {
      for (const b of out.broadcast) {
        proposals++;
        expect(out.persist.blocks.map((x) => x.key)).toContain(b.key);
        expect(b.ancestors[0]!.author).toBe(1);
        expect(b.ancestors[0]!.round).toBeLessThan(b.round);
      }
    }
    expect(proposals).toBeGreaterThan(5);
  });

  it("respects the minimum round delay between proposals", () => {
    const h = new Harness();
    h.run(1000);
    const own = h.stores[2]!.scanBlocks(1).filter((b) => b.author === 2);
    for (let i = 1; i < own.length; i++) {
      expect(own[i]!.timestampMs - own[i - 1]!.timestampMs).toBeGreaterThanOrEqual(OPTS.minRoundDelayMs);
    }
  });

  it("waits for the leader of round r−1 until the leader timeout, then proposes without it", () => {
    const h = new Harness();
    h.down.add(3); // D leads rounds 3, 7, 11, …
    h.run(1500);
    const schedule = new LeaderSchedule(new RoundRobinElection(t.committee));
    expect(schedule.leaderAt(3)).toBe(3);
    const own = h.stores[0]!.scanBlocks(1).filter((b) => b.author === 0);
    const r4 = own.find((b) => b.round === 4)!;
    const r3 = own.find((b) => b.round === 3)!;
    // the round-4 proposal waited for the missing leader of round 3
    expect(r4.timestampMs - r3.timestampMs).toBeGreaterThanOrEqual(OPTS.leaderTimeoutMs - 10);
    // and the three live validators keep committing (leaders other than D)
    expect(h.commits[0]!.length).toBeGreaterThan(3);
    // each proposal made without a missing leader is counted (the node turns it into a metric)
    expect(h.cores[0]!.counters.leaderTimeouts).toBeGreaterThan(0);
    expect(h.cores[0]!.counters.blocksProposed).toBe(own.length);
  });

  it("restarts from its store: same commit tip, no re-proposal of a used round, indices continue", () => {
    const h = new Harness();
    h.run(1000);
    const before = h.cores[1]!;
    const tip = before.lastCommitIndex;
    const lastRound = before.lastProposedRound;
    expect(tip).toBeGreaterThan(5);
    // crash node 1 and restart it from its store
    h.down.add(1);
    h.run(300);
    const restarted = h.make(1);
    expect(restarted.lastCommitIndex).toBe(tip);
    expect(restarted.lastProposedRound).toBe(lastRound);
    h.cores[1] = restarted;
    h.down.delete(1);
    const seen = h.commits[1]!.length;
    h.run(1500);
    const fresh = h.commits[1]!.slice(seen);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh[0]!.startsWith(`${tip + 1}:`)).toBe(true);
    expect(h.commits[1]).toEqual(h.commits[0]!.slice(0, h.commits[1]!.length));
    // commits after any executed index are re-sent from the store with the digests first emitted
    const replay = committedSubDagsAfter(h.stores[1]!, tip - 3);
    expect(replay.map((c) => `${c.commit.index}:${c.leader.round}`)).toEqual(h.commits[1]!.slice(tip - 3));
    expect(replay[0]!.blocks.length).toBeGreaterThan(0);
    // no two own blocks for one round
    const rounds = h.stores[1]!.scanBlocks(1)
      .filter((b) => b.author === 1)
      .map((b) => b.round);
    expect(new Set(rounds).size).toBe(rounds.length);
  });

  it("a validator far behind catches up from a certified commit range, then follows live", () => {
    const h = new Harness();
    h.down.add(3);
    h.run(2500);
    const tip = h.cores[0]!.lastCommitIndex;
    // with gcDepth 10 the early blocks are long evicted from the peers' DAGs
    expect(tip).toBeGreaterThan(15);
    expect(h.cores[0]!.quorumCommitIndex()).toBeGreaterThan(tip - 5);
    const range = h.cores[0]!.certifiedRange(1, 1000, (from, to) =>
      committedSubDagsAfter(h.stores[0]!, from - 1, to - from + 1),
    );
    expect(range).toBeDefined();
    const commits = range!.commits.map((c) => c.commit);
    verifyCommitRange(commits, { index: 0, digest: ZERO_DIGEST }, range!.votes, t.committee);
    // a tampered range is refused
    const forged = commits.map((c, i) => (i === 1 ? { ...c, timestampMs: c.timestampMs + 1 } : c));
    expect(() =>
      verifyCommitRange(forged, { index: 0, digest: ZERO_DIGEST }, range!.votes, t.committee),
    ).toThrow(/digest chain/);
    expect(() => verifyCommitRange(commits, { index: 0, digest: ZERO_DIGEST }, [], t.committee)).toThrow(
      /quorum/,
    );
    h.down.delete(3);
    h.handle(3, h.cores[3]!.addCertifiedCommits(range!.commits));
    expect(h.commits[3]!.length).toBeGreaterThanOrEqual(commits.length);
    expect(h.commits[3]).toEqual(h.commits[0]!.slice(0, h.commits[3]!.length));
    h.run(1500);
    expect(h.commits[3]!.length).toBeGreaterThan(commits.length + 5);
    expect(h.commits[3]).toEqual(h.commits[0]!.slice(0, h.commits[3]!.length));
  });

  it("an observer commits the same sequence without proposing", () => {
    const h = new Harness();
    h.run(800);
    const observer = createCore({
      committee: t.committee,
      authority: 0,
      clock: () => 0,
      store: new MemoryConsensusStore(),
      election: new RoundRobinElection(t.committee),
      options: OPTS,
      observer: true,
    });
    const blocks = h.stores[0]!.scanBlocks(1);
    const out = observer.addBlocks(blocks);
    expect(out.broadcast).toEqual([]);
    expect(out.commits.map((c) => `${c.commit.index}:${c.leader.round}`)).toEqual(
      h.commits[0]!.slice(0, out.commits.length),
    );
    expect(out.commits.length).toBeGreaterThan(h.commits[0]!.length - 3);
  });
});
