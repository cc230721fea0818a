/**
 * Who leads each round. Election is a stake-weighted draw seeded by the round (position `offset` of a
 * stake-weighted shuffle without replacement), so every validator computes the same leaders with no
 * communication. The swap table is the seam for leader reputation: a later change can replace elected
 * low-scoring authorities without touching the committers.
 */
import type { AuthorityIndex, Round } from "../../core/wire/consensus.ts";
import type { Committee } from "./committee.ts";

/** Deterministic election of the leader at (round, offset). */
export interface LeaderElection {
  elect(round: Round, offset: number): AuthorityIndex;
}

/** Reputation seam: may replace an elected leader (return undefined to keep it). */
export interface LeaderSwapTable {
  swap(leader: AuthorityIndex, round: Round, offset: number): AuthorityIndex | undefined;
}

/** mulberry32: tiny, fast, and fully specified, so every platform draws the same sequence. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class StakeWeightedElection implements LeaderElection {
  constructor(private readonly committee: Committee) {}

  elect(round: Round, offset: number): AuthorityIndex {
    // mix the round so that consecutive rounds give unrelated seeds
    const rng = mulberry32(Math.imul(round ^ 0x5bd1e995, 0x27d4eb2d) ^ (round >>> 16));
    const remaining = this.committee.authorities.map((a, i) => ({ i, stake: a.stake }));
    let total = this.committee.totalStake;
    for (let pos = 0; ; pos++) {
      let target = Math.floor(rng() * total);
      let k = 0;
      for (; k < remaining.length - 1; k++) {
        target -= remaining[k]!.stake;
        if (target < 0) break;
      }
      const picked = remaining[k]!;
      if (pos === offset % this.committee.size) return picked.i;
      total -= picked.stake;
      remaining.splice(k, 1);
    }
  }
}

/** (round + offset) mod n: the predictable schedule the declarative committer tests use. */
export class RoundRobinElection implements LeaderElection {
  constructor(private readonly committee: Committee) {}

  elect(round: Round, offset: number): AuthorityIndex {
    return (round + offset) % this.committee.size;
  }
}

export class LeaderSchedule {
  private swapTable: LeaderSwapTable | undefined;

  constructor(
    private readonly election: LeaderElection,
    swapTable?: LeaderSwapTable,
  ) {
    this.swapTable = swapTable;
  }

  /** The leader of slot (round, offset). */
  leaderAt(round: Round, offset = 0): AuthorityIndex {
    const elected = this.election.elect(round, offset);
    return this.swapTable?.swap(elected, round, offset) ?? elected;
  }

  /** Installs a new swap table (e.g. after a reputation update agreed through a commit). */
  setSwapTable(table: LeaderSwapTable | undefined): void {
    this.swapTable = table;
  }
}
