/**
 * The Mysticeti-C decision rules for the leader slots of one committer (wave length 3: leader round L,
 * voting round L+1, decision round L+2).
 *
 * - A block at L+1 *votes* for a leader block if the first block of the leader's slot met in a
 *   depth-first walk of its ancestors is that leader block ("first supported block": this is what makes
 *   equivocating leaders harmless: a voter supports at most one version).
 * - A block at L+2 is a *certificate* if its direct ancestors include votes of quorum stake.
 * - Direct skip: quorum stake of L+1 blocks have no ancestor from the leader's author (blame).
 * - Direct commit: certificates of quorum stake at L+2.
 * - Indirect: the first committed higher leader (round ≥ L+3), not preceded by an undecided one, is the
 *   anchor; commit L if its causal history holds a certificate for L at L+2, otherwise skip L.
 */
import { ErrorCode, FastEvmError } from "../../../core/errors.ts";
import type { AuthorityIndex, BlockRef, Round } from "../../../core/wire/consensus.ts";
import type { VerifiedBlock } from "../block.ts";
import { type Committee, StakeAggregator } from "../committee.ts";
import type { DagState } from "../dagState.ts";
import type { LeaderSchedule } from "../leaderSchedule.ts";
import type { LeaderStatus, Slot } from "./leaderStatus.ts";

export const WAVE_LENGTH = 3;

export class BaseCommitter {
  /**
   * Direct decisions keyed by slot, with the block counts of rounds L..L+2 they were computed from. The
   * DAG only grows, so an unchanged count means an unchanged answer: long undecided stretches are not
   * re-evaluated on every accepted block.
   */
  private readonly directCache = new Map<number, { sizes: number; status: LeaderStatus }>();
  /** per leader block: is-vote by voter key and is-certificate by block key (facts that never change) */
  private readonly leaderFacts = new Map<
    string,
    { round: Round; votes: Map<string, boolean>; certs: Map<string, boolean> }
  >();

  constructor(
    private readonly committee: Committee,
    private readonly dag: DagState,
    private readonly schedule: LeaderSchedule,
    /** leader rounds of this committer are offset + k·WAVE_LENGTH */
    readonly roundOffset: number,
    readonly leaderOffset = 0,
  ) {}

  /** The leader slot of `round`, if `round` is a leader round of this committer (round 0 never is). */
  electLeader(round: Round): Slot | undefined {
    if (round === 0 || round < this.roundOffset || (round - this.roundOffset) % WAVE_LENGTH !== 0)
      return undefined;
    return { round, author: this.schedule.leaderAt(round, this.leaderOffset), offset: this.leaderOffset };
  }

  tryDirectDecide(slot: Slot): LeaderStatus {
    const sizes =
      this.dag.blocksAtRound(slot.round).length +
      this.dag.blocksAtRound(slot.round + 1).length * 1_000 +
      this.dag.blocksAtRound(slot.round + 2).length * 1_000_000;
    const cached = this.directCache.get(slot.round);
    if (cached !== undefined && cached.sizes === sizes) return cached.status;
    const status = this.directDecide(slot);
    this.directCache.set(slot.round, { sizes, status });
    return status;
  }

  /** Forgets every cached direct decision (the leader schedule changed). */
  resetCache(): void {
    this.directCache.clear();
  }

  /** Forgets cached decisions of slots at or below `round` (already decided for good). */
  prune(round: Round): void {
    for (const r of this.directCache.keys()) if (r <= round) this.directCache.delete(r);
    for (const [k, f] of this.leaderFacts) if (f.round <= round) this.leaderFacts.delete(k);
  }

  private directDecide(slot: Slot): LeaderStatus {
    if (this.enoughBlame(slot.round + 1, slot.author)) return { kind: "skip", slot, direct: true };
    const decisionRound = slot.round + 2;
    const committed = this.dag
      .blocksAtSlot(slot.round, slot.author)
      .filter((leader) => this.enoughSupport(decisionRound, leader));
    if (committed.length > 1) this.safetyViolation(slot, committed);
    const block = committed[0];
    return block === undefined ? { kind: "undecided", slot } : { kind: "commit", slot, block, direct: true };
  }

  /** `higher`: statuses of the slots above this one, ascending by round, as computed in this pass. */
  tryIndirectDecide(slot: Slot, higher: readonly LeaderStatus[]): LeaderStatus {
    for (const anchor of higher) {
      if (anchor.slot.round < slot.round + WAVE_LENGTH) continue;
      if (anchor.kind === "skip") continue;
      if (anchor.kind === "undecided") break;
      return this.decideFromAnchor(slot, anchor.block);
    }
    return { kind: "undecided", slot };
  }

  private decideFromAnchor(slot: Slot, anchor: VerifiedBlock): LeaderStatus {
    const certificates = this.dag.ancestorsAtRound(anchor, slot.round + 2);
    const certified = this.dag
      .blocksAtSlot(slot.round, slot.author)
      .filter((leader) => certificates.some((c) => this.isCertificate(c, leader)));
    if (certified.length > 1) this.safetyViolation(slot, certified);
    const block = certified[0];
    return block === undefined
      ? { kind: "skip", slot, direct: false }
      : { kind: "commit", slot, block, direct: false };
  }

  /** Quorum stake of blocks at `votingRound` with no ancestor from `leader`. */
  private enoughBlame(votingRound: Round, leader: AuthorityIndex): boolean {
    const blame = new StakeAggregator(this.committee);
    for (const b of this.dag.blocksAtRound(votingRound)) {
      if (b.ancestors.every((a) => a.author !== leader) && blame.add(b.author)) return true;
    }
    return false;
  }

  /** Quorum stake of certificates for `leader` at `decisionRound`. */
  private enoughSupport(decisionRound: Round, leader: VerifiedBlock): boolean {
    const blocks = this.dag.blocksAtRound(decisionRound);
    // cheap pre-check: without quorum stake at the decision round nothing can be decided
    const present = new StakeAggregator(this.committee);
    for (const b of blocks) present.add(b.author);
    if (!present.reachedQuorum()) return false;
    const certs = new StakeAggregator(this.committee);
    for (const b of blocks) {
      if (this.isCertificate(b, leader) && certs.add(b.author)) return true;
    }
    return false;
  }

  private factsOf(leader: VerifiedBlock) {
    let f = this.leaderFacts.get(leader.key);
    if (f === undefined) {
      f = { round: leader.round, votes: new Map(), certs: new Map() };
      this.leaderFacts.set(leader.key, f);
    }
    return f;
  }

  private isCertificate(block: VerifiedBlock, leader: VerifiedBlock): boolean {
    const facts = this.factsOf(leader);
    const known = facts.certs.get(block.key);
    if (known !== undefined) return known;
    const result = this.countVotes(block, leader, facts.votes);
    facts.certs.set(block.key, result);
    return result;
  }

  private countVotes(block: VerifiedBlock, leader: VerifiedBlock, votes: Map<string, boolean>): boolean {
    const agg = new StakeAggregator(this.committee);
    for (const key of block.ancestorKeys) {
      let v = votes.get(key);
      if (v === undefined) {
        const voter = this.dag.get(key);
        v = voter !== undefined && this.isVote(voter, leader);
        votes.set(key, v);
      }
      if (v && agg.add(voter(key))) return true;
    }
    return false;
  }

  private isVote(voter: VerifiedBlock, leader: VerifiedBlock): boolean {
    const supported = this.supportedBlock(leader.round, leader.author, voter);
    return supported !== undefined && supported === leader.key;
  }

  /** Key of the first block at slot (round, author) met in a depth-first walk from `from`. */
  private supportedBlock(round: Round, author: AuthorityIndex, from: VerifiedBlock): string | undefined {
    if (from.round <= round) return undefined;
    for (let i = 0; i < from.ancestors.length; i++) {
      const ref: BlockRef = from.ancestors[i]!;
      if (ref.round === round && ref.author === author) return from.ancestorKeys[i];
      if (ref.round <= round) continue;
      const next = this.dag.get(from.ancestorKeys[i]!);
      if (next === undefined) continue;
      const found = this.supportedBlock(round, author, next);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private safetyViolation(slot: Slot, blocks: readonly VerifiedBlock[]): never {
    throw new FastEvmError(
      ErrorCode.CONSENSUS_SAFETY_VIOLATION,
      `two blocks of slot (${slot.round}, ${slot.author}) are certified: ${blocks.join(", ")} (more than f faulty)`,
    );
  }
}

/** Author of a block from its key (`round/author/digest`), without a DAG lookup. */
function voter(key: string): AuthorityIndex {
  const first = key.indexOf("/");
  return Number.parseInt(key.slice(first + 1), 10);
}
