import { describe, expect, it } from "vitest";
import {
  LeaderSchedule,
  RoundRobinElection,
  StakeWeightedElection,
} from "../../../../../node/consensus/mysticeti/leaderSchedule.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

describe("LeaderSchedule", () => {
  it("stake-weighted election is deterministic and proportional to stake", () => {
    const c = testCommittee([1, 2, 3, 4]).committee;
    const a = new StakeWeightedElection(c);
    const b = new StakeWeightedElection(c);
    const counts = [0, 0, 0, 0];
    for (let r = 1; r <= 10_000; r++) {
      const l = a.elect(r, 0);
      expect(l).toBe(b.elect(r, 0));
      counts[l]!++;
    }
    // expected shares 10%, 20%, 30%, 40% of 10,000 draws
    counts.forEach((n, i) => {
      expect(Math.abs(n - (i + 1) * 1000)).toBeLessThan(300);
    });
  });

  it("different offsets of one round elect different authorities", () => {
    const c = testCommittee(5).committee;
    const e = new StakeWeightedElection(c);
    for (let r = 1; r < 200; r++) {
      const picks = [0, 1, 2, 3, 4].map((o) => e.elect(r, o));
      expect(new Set(picks).size).toBe(5);
    }
  });

  it("round robin is (round + offset) mod n", () => {
    const c = testCommittee(4).committee;
    const s = new LeaderSchedule(new RoundRobinElection(c));
    expect([1, 2, 3, 4, 5].map((r) => s.leaderAt(r))).toEqual([1, 2, 3, 0, 1]);
    expect(s.leaderAt(1, 1)).toBe(2);
  });

  it("the swap table (reputation seam) replaces elected leaders", () => {
    const c = testCommittee(4).committee;
    const s = new LeaderSchedule(new RoundRobinElection(c));
    s.setSwapTable({ swap: (leader) => (leader === 1 ? 3 : undefined) });
    expect([1, 2, 3, 4, 5].map((r) => s.leaderAt(r))).toEqual([3, 2, 3, 0, 3]);
    s.setSwapTable(undefined);
    expect(s.leaderAt(1)).toBe(1);
  });
});
