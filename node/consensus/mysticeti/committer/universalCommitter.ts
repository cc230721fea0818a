/**
 * Combines the base committers into one sequence of leader decisions. With pipelining (the default) there
 * are three committers with round offsets 0, 1, 2, so every round has a leader slot. Each pass walks from
 * the highest decidable round (highest accepted − 2) down to the last decided slot, tries the direct rule
 * and falls back to the indirect rule using the statuses just computed above, and returns the longest
 * decided prefix. Later passes recompute the undecided tail, so the output never depends on block order.
 */
import type { Round } from "../../../core/wire/consensus.ts";
import type { Committee } from "../committee.ts";
import type { DagState } from "../dagState.ts";
import type { LeaderSchedule } from "../leaderSchedule.ts";
import { BaseCommitter, WAVE_LENGTH } from "./baseCommitter.ts";
import type { LeaderStatus } from "./leaderStatus.ts";

export interface UniversalCommitterOptions {
  /** three offset committers (a leader every round) instead of one (a leader every third round) */
  readonly pipeline: boolean;
  /** leader slots per round (Sui uses 1) */
  readonly leadersPerRound: number;
}

export const DEFAULT_COMMITTER_OPTIONS: UniversalCommitterOptions = { pipeline: true, leadersPerRound: 1 };

export class UniversalCommitter {
  private readonly committers: BaseCommitter[] = [];

  constructor(
    committee: Committee,
    private readonly dag: DagState,
    schedule: LeaderSchedule,
    options: UniversalCommitterOptions = DEFAULT_COMMITTER_OPTIONS,
  ) {
    const offsets = options.pipeline ? WAVE_LENGTH : 1;
    for (let r = 0; r < offsets; r++) {
      for (let l = 0; l < options.leadersPerRound; l++) {
        this.committers.push(new BaseCommitter(committee, dag, schedule, r, l));
      }
    }
  }

  /** Drops cached decisions: call after the leader schedule changed (reputation update). */
  resetCaches(): void {
    for (const c of this.committers) c.resetCache();
  }

  /**
   * Decides leader slots after `lastDecided` (round, and leader offset within the round).
   * Returns the decided statuses in order; skipped slots are included so the caller can advance.
   */
  tryDecide(lastDecided: { round: Round; offset: number }): LeaderStatus[] {
    const highest = this.dag.highestAcceptedRound;
    for (const c of this.committers) c.prune(lastDecided.round - 1);
    const statuses: LeaderStatus[] = []; // descending while built, reversed at the end
    for (let round = highest - 2; round >= lastDecided.round && round >= 1; round--) {
      // within a round, visit committers in reverse so the list ends up in ascending slot order
      for (let i = this.committers.length - 1; i >= 0; i--) {
        const c = this.committers[i]!;
        if (round === lastDecided.round && c.leaderOffset <= lastDecided.offset) continue;
        const slot = c.electLeader(round);
        if (slot === undefined) continue;
        let status = c.tryDirectDecide(slot);
        if (status.kind === "undecided") {
          // statuses is descending; the indirect rule wants the higher slots ascending
          status = c.tryIndirectDecide(slot, [...statuses].reverse());
        }
        statuses.push(status);
      }
    }
    statuses.reverse();
    const decided: LeaderStatus[] = [];
    for (const s of statuses) {
      if (s.kind === "undecided") break;
      decided.push(s);
    }
    return decided;
  }
}
