import { describe, expect, it } from "vitest";
import type { CommittedSubDag } from "../../../../../node/consensus/mysticeti/commit.ts";
import {
  LeaderSchedule,
  RoundRobinElection,
} from "../../../../../node/consensus/mysticeti/leaderSchedule.ts";
import {
  ReputationSwapTable,
  ReputationTracker,
} from "../../../../../node/consensus/mysticeti/reputation.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

describe("leader reputation", () => {
  it("swaps the lowest scorers (up to 20% of stake) for top scorers, deterministically", () => {
    const c = testCommittee(10).committee; // 20% of 10 = 2 authorities each side
    const scores = [50, 40, 30, 30, 30, 30, 30, 30, 1, 0];
    const table = new ReputationSwapTable(c, scores);
    expect(table.good).toEqual([0, 1]);
    expect([...table.bad].sort()).toEqual([8, 9]);
    const schedule = new LeaderSchedule(new RoundRobinElection(c), table);
    for (let r = 1; r < 200; r++) {
      const leader = schedule.leaderAt(r);
      expect(leader === 8 || leader === 9).toBe(false);
      if (r % 10 < 8) expect(leader).toBe(r % 10);
      expect(schedule.leaderAt(r)).toBe(leader);
    }
  });

  it("counts stake, not authorities, when picking the sets", () => {
    const c = testCommittee([6, 1, 1, 1, 1]).committee; // 20% of 10 = 2 stake
    const t = new ReputationSwapTable(c, [0, 5, 4, 3, 2]);
    expect(t.good).toEqual([1, 2]);
    // authority 0 (stake 6) scores lowest but exceeds the 2-stake budget: it is never swapped out
    expect([...t.bad]).toEqual([]);
  });

  it("the tracker yields a table exactly when a window of commits closes", () => {
    const c = testCommittee(4).committee;
    const tracker = new ReputationTracker(c, 3);
    const sub = (index: number, authors: number[]) =>
      ({
        commit: { index },
        blocks: authors.map((author) => ({ round: index, author })),
      }) as unknown as CommittedSubDag;
    expect(tracker.onCommit(sub(1, [0, 1, 2]))).toBeUndefined();
    expect(tracker.onCommit(sub(2, [0, 1]))).toBeUndefined();
    const t = tracker.onCommit(sub(3, [0]));
    expect(t?.scores).toEqual([3, 2, 1, 0]);
    expect(tracker.closesWindow(6)).toBe(true);
    expect(tracker.closesWindow(7)).toBe(false);
    // scores restart with each window
    expect(tracker.onCommit(sub(4, [3]))).toBeUndefined();
    expect(tracker.onCommit(sub(5, []))).toBeUndefined();
    expect(tracker.onCommit(sub(6, []))).toBeDefined();
  });

  it("scores each slot once and ranks an equivocator lowest", () => {
    const c = testCommittee(5).committee; // 20% of 5 = 1 authority each side
    const tracker = new ReputationTracker(c, 2);
    const block = (round: number, author: number) => ({ round, author });
    const sub = (index: number, blocks: { round: number; author: number }[]) =>
      ({ commit: { index }, blocks }) as unknown as CommittedSubDag;
    // authority 4 gets two blocks committed for round 1 (an equivocation) and more blocks than anyone
    tracker.onCommit(sub(1, [block(1, 0), block(1, 1), block(1, 4), block(1, 4)]));
    const t = tracker.onCommit(sub(2, [block(2, 4), block(2, 0), block(2, 1), block(3, 4)]))!;
    expect(t.scores).toEqual([2, 2, 0, 0, -1]);
    expect(t.good).toEqual([0]);
    expect([...t.bad]).toEqual([4]);
  });
});
