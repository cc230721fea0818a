/**
 * Turns committed leaders into CommittedSubDags. For each leader, in decision order, it collects the
 * leader's causal history that is not yet committed and lies above the GC round (depth-first over
 * ancestors), sorts it by (round, author, digest) and chains a commit record to the previous one.
 * No block is ever committed twice; commit timestamps never decrease.
 */
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { Commit } from "../../core/wire/consensus.ts";
import { compareRefs, type VerifiedBlock } from "./block.ts";
import { type CommittedSubDag, commitDigest, ZERO_DIGEST } from "./commit.ts";
import type { Committee } from "./committee.ts";
import type { DagState } from "./dagState.ts";

export class Linearizer {
  constructor(
    private readonly committee: Committee,
    private readonly dag: DagState,
  ) {}

  handleCommit(leaders: readonly VerifiedBlock[]): CommittedSubDag[] {
    return leaders.map((l) => this.commitLeader(l));
  }

  private commitLeader(leader: VerifiedBlock): CommittedSubDag {
    // the GC round of this commit depends only on the previous commit, so every validator agrees on it
    const gcRound = this.dag.gcRound();
    if (this.dag.isCommitted(leader.key)) {
      throw new FastEvmError(ErrorCode.CONSENSUS_INTERNAL, `leader ${leader} is already committed`);
    }
    const collected: VerifiedBlock[] = [leader];
    this.dag.markCommitted(leader.key);
    const stack = [leader];
    while (stack.length > 0) {
      const b = stack.pop()!;
      for (let i = 0; i < b.ancestors.length; i++) {
        const ref = b.ancestors[i]!;
        const key = b.ancestorKeys[i]!;
        // genesis blocks carry nothing and are never committed
        if (ref.round <= gcRound || ref.round === 0 || this.dag.isCommitted(key)) continue;
        const a = this.dag.get(key);
        if (a === undefined) {
          throw new FastEvmError(
            ErrorCode.CONSENSUS_INTERNAL,
            `ancestor ${key} of a committed block is missing`,
          );
        }
        this.dag.markCommitted(key);
        collected.push(a);
        stack.push(a);
      }
    }
    collected.sort((x, y) => compareRefs(x.ref, y.ref));
    const previous = this.dag.lastCommit;
    const timestampMs = Math.max(previous?.timestampMs ?? 0, this.medianParentTimestamp(leader));
    const commit: Commit = {
      index: (previous?.index ?? 0) + 1,
      previousDigest: this.dag.lastCommitDigest ?? ZERO_DIGEST,
      timestampMs,
      leader: leader.ref,
      blocks: collected.map((b) => b.ref),
    };
    const digest = commitDigest(commit);
    this.dag.setLastCommit(commit, digest);
    return {
      commit,
      commitRef: { index: commit.index, digest },
      leader: leader.ref,
      blocks: collected,
      timestampMs,
    };
  }

  /**
   * Stake-weighted median of the timestamps of the leader's parents at the previous round: a single
   * faulty leader cannot move commit time on its own.
   */
  private medianParentTimestamp(leader: VerifiedBlock): number {
    const parents: { ts: number; stake: number }[] = [];
    for (let i = 0; i < leader.ancestors.length; i++) {
      if (leader.ancestors[i]!.round !== leader.round - 1) continue;
      const p = this.dag.get(leader.ancestorKeys[i]!);
      if (p !== undefined) parents.push({ ts: p.timestampMs, stake: this.committee.stake(p.author) });
    }
    if (parents.length === 0) return leader.timestampMs;
    parents.sort((a, b) => a.ts - b.ts);
    const total = parents.reduce((s, p) => s + p.stake, 0);
    let acc = 0;
    for (const p of parents) {
      acc += p.stake;
      if (2 * acc >= total) return p.ts;
    }
    return parents[parents.length - 1]!.ts;
  }
}
