/**
 * When to propose and what to reference.
 *
 * Propose round r (the threshold-clock round, above the last proposed round) once: quorum stake at r−1 is
 * in the DAG; the leader(s) of r−1 are in the DAG or `leaderTimeoutMs` passed since the clock reached r;
 * and at least `minRoundDelayMs` passed since the previous proposal.
 *
 * Ancestors: the own previous block first; then, per other authority, its latest block below r that is
 * newer than the one last referenced and above the GC round (older rounds become "weak links").
 */
import type { AuthorityIndex, BlockRef, Round } from "../../core/wire/consensus.ts";
import type { VerifiedBlock } from "./block.ts";
import { type Committee, StakeAggregator } from "./committee.ts";
import type { DagState } from "./dagState.ts";
import type { LeaderSchedule } from "./leaderSchedule.ts";

export interface ProposalTiming {
  readonly leaderTimeoutMs: number;
  readonly minRoundDelayMs: number;
}

export type ProposalDecision =
  /** `leaderTimedOut`: proposed without the previous round's leader(s), once `leaderTimeoutMs` passed */
  | { readonly kind: "propose"; readonly round: Round; readonly leaderTimedOut: boolean }
  | { readonly kind: "wait"; readonly until: number | undefined };

export interface ProposalInput {
  readonly clockRound: Round;
  readonly lastProposedRound: Round;
  /** when the clock reached `clockRound` */
  readonly roundStartMs: number;
  readonly lastProposalMs: number;
  readonly nowMs: number;
  readonly leadersPerRound: number;
}

export function proposalDecision(
  input: ProposalInput,
  timing: ProposalTiming,
  committee: Committee,
  dag: DagState,
  schedule: LeaderSchedule,
): ProposalDecision {
  const r = input.clockRound;
  if (r <= input.lastProposedRound) return { kind: "wait", until: undefined };
  const quorum = new StakeAggregator(committee);
  for (const b of dag.blocksAtRound(r - 1)) quorum.add(b.author);
  if (r > 1 && !quorum.reachedQuorum()) return { kind: "wait", until: undefined };
  let waitUntil = 0;
  let leadersPresent = true;
  const delayEnd = input.lastProposalMs + timing.minRoundDelayMs;
  if (input.nowMs < delayEnd) waitUntil = delayEnd;
  if (r - 1 > 0) {
    for (let o = 0; o < input.leadersPerRound; o++) {
      if (dag.blocksAtSlot(r - 1, schedule.leaderAt(r - 1, o)).length === 0) leadersPresent = false;
    }
    const timeoutAt = input.roundStartMs + timing.leaderTimeoutMs;
    if (!leadersPresent && input.nowMs < timeoutAt) waitUntil = Math.max(waitUntil, timeoutAt);
  }
  return waitUntil > input.nowMs
    ? { kind: "wait", until: waitUntil }
    : { kind: "propose", round: r, leaderTimedOut: !leadersPresent };
}

/**
 * Picks the ancestors of a block at `round`, updating `lastIncluded` (round of the block last referenced
 * per authority). Returns undefined when the selection would lack quorum stake at round−1.
 */
export function selectAncestors(
  own: AuthorityIndex,
  round: Round,
  ownLast: VerifiedBlock,
  committee: Committee,
  dag: DagState,
  lastIncluded: Round[],
): VerifiedBlock[] | undefined {
  const chosen: VerifiedBlock[] = [ownLast];
  const quorum = new StakeAggregator(committee);
  if (ownLast.round === round - 1) quorum.add(own);
  for (let a = 0; a < committee.size; a++) {
    if (a === own) continue;
    const b = dag.latestBelow(a, round);
    if (b === undefined || b.round <= (lastIncluded[a] ?? -1)) continue;
    chosen.push(b);
    if (b.round === round - 1) quorum.add(a);
  }
  if (round > 1 && !quorum.reachedQuorum()) return undefined;
  for (const b of chosen) lastIncluded[b.author] = b.round;
  return chosen;
}

export function refsOf(blocks: readonly VerifiedBlock[]): BlockRef[] {
  return blocks.map((b) => b.ref);
}
