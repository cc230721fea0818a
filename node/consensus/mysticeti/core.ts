/**
 * The state machine one validator runs. It is I/O-free: the driver (network node or simulator) feeds it
 * verified blocks and timer ticks, injects the clock, and acts on each step's `CoreOutput`:
 *   1. write `persist` to the ConsensusStore (atomically) and wait until it is durable;
 *   2. broadcast `broadcast` (own new blocks) and hand `commits` to execution, in order;
 *   3. fetch `missing` refs from peers; call `tick()` at `wakeAtMs`.
 * Writing before broadcasting is what keeps an honest validator from equivocating after a crash.
 */
import { equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type {
  AuthorityIndex,
  BlockRef,
  Commit,
  CommitRef,
  Round,
  SignedBlock,
} from "../../core/wire/consensus.ts";
import type { TxSource } from "../../txpool/source.ts";
import { encodeBlock, genesisBlocks, refKey, VerifiedBlock } from "./block.ts";
import { BlockManager } from "./blockManager.ts";
import { type CommittedSubDag, commitDigest } from "./commit.ts";
import { CommitVoteTracker, isCertified } from "./commitCertification.ts";
import type { Committee } from "./committee.ts";
import { UniversalCommitter } from "./committer/universalCommitter.ts";
import { DagState } from "./dagState.ts";
import { type LeaderElection, LeaderSchedule, StakeWeightedElection } from "./leaderSchedule.ts";
import { Linearizer } from "./linearizer.ts";
import { proposalDecision, refsOf, selectAncestors } from "./proposer.ts";
import { ReputationTracker } from "./reputation.ts";
import type { BlockSigning } from "./signing.ts";
import type { ConsensusStore, StoreBatch, StoredCommit } from "./store.ts";
import { ThresholdClock } from "./thresholdClock.ts";

export interface CoreOptions {
  readonly leaderTimeoutMs: number;
  readonly minRoundDelayMs: number;
  readonly gcDepth: number;
  readonly maxTransactionsPerBlock: number;
  readonly maxBlockTransactionBytes: number;
  /**
   * The sum of the gas limits of one DAG block's transactions. A commit's sub-DAG holds about one block
   * per validator, so the validator wiring sets it to the EVM block gas limit over the committee size:
   * one commit then fits one EVM block in the common case.
   */
  readonly maxBlockGas: bigint;
  readonly maxCommitVotes: number;
  readonly pipeline: boolean;
  readonly leadersPerRound: number;
  /** commits per leader-reputation window (0: no reputation, the elected leader always leads) */
  readonly reputationWindow: number;
}

export const DEFAULT_CORE_OPTIONS: CoreOptions = {
  leaderTimeoutMs: 200,
  minRoundDelayMs: 50,
  gcDepth: 60,
  maxTransactionsPerBlock: 1000,
  maxBlockTransactionBytes: 1024 * 1024,
  maxBlockGas: 30_000_000n,
  maxCommitVotes: 100,
  pipeline: true,
  leadersPerRound: 1,
  reputationWindow: 0,
};

export interface CoreDeps {
  readonly committee: Committee;
  readonly authority: AuthorityIndex;
  /** absent for observers */
  readonly signer?: BlockSigning;
  readonly clock: () => number;
  readonly store: ConsensusStore;
  /** where proposals get their transactions (the txpool) */
  readonly transactions?: TxSource;
  readonly election?: LeaderElection;
  readonly options?: Partial<CoreOptions>;
  /**
   * Amnesia guard: when the store was wiped, the validator must re-learn its own last block from peers
   * (`ownLastBlockSynced`) before proposing, or it could sign a second block for a round it already used.
   */
  readonly awaitOwnBlockSync?: boolean;
  /** observer mode: follow and commit the DAG without ever proposing (full nodes, tests) */
  readonly observer?: boolean;
}

export interface CoreOutput {
  persist: StoreBatch;
  broadcast: VerifiedBlock[];
  commits: CommittedSubDag[];
  missing: BlockRef[];
  /** call `tick()` at this time (undefined: no timer needed) */
  wakeAtMs: number | undefined;
}

export class Core {
  readonly dag: DagState;
  readonly options: CoreOptions;
  private readonly committee: Committee;
  private readonly own: AuthorityIndex;
  private readonly blockManager: BlockManager;
  private readonly clockRound: ThresholdClock;
  private readonly schedule: LeaderSchedule;
  private readonly committer: UniversalCommitter;
  private readonly linearizer: Linearizer;
  private lastDecided = { round: 0, offset: -1 };
  private lastIncluded: Round[];
  private lastProposed: VerifiedBlock;
  private lastProposalMs = Number.NEGATIVE_INFINITY;
  private roundStartMs: number;
  private pendingVotes: CommitRef[] = [];
  private awaitingOwnSync: boolean;
  /** highest round of an own block seen from peers, accepted or not: never propose at or below it */
  private ownRoundFloor: Round = 0;
  private out: CoreOutput;
  private readonly votes: CommitVoteTracker;
  private readonly reputation: ReputationTracker;
  /** accepted blocks carrying a vote, by voted commit index (recent window): certificates for commit sync */
  private readonly voteBlocks = new Map<number, VerifiedBlock[]>();
  /** running totals the I/O shell turns into metrics (the core itself measures nothing) */
  readonly counters = { blocksProposed: 0, leaderTimeouts: 0 };

  constructor(private readonly deps: CoreDeps) {
    this.committee = deps.committee;
    this.own = deps.authority;
    this.options = { ...DEFAULT_CORE_OPTIONS, ...deps.options };
    const c = this.committee;
    this.dag = new DagState(c, genesisBlocks(c.epoch, c.size, c.epochStartMs), this.options.gcDepth);
    this.blockManager = new BlockManager(this.dag);
    this.clockRound = new ThresholdClock(c);
    this.schedule = new LeaderSchedule(deps.election ?? new StakeWeightedElection(c));
    this.committer = new UniversalCommitter(c, this.dag, this.schedule, this.options);
    this.linearizer = new Linearizer(c, this.dag);
    this.lastIncluded = new Array<Round>(c.size).fill(-1);
    this.lastProposed = this.dag.lastBlockOf(this.own);
    this.roundStartMs = deps.clock();
    this.awaitingOwnSync = deps.awaitOwnBlockSync ?? false;
    this.out = emptyOutput();
    this.votes = new CommitVoteTracker(c);
    this.reputation = new ReputationTracker(c, this.options.reputationWindow);
  }

  get authority(): AuthorityIndex {
    return this.own;
  }
  get round(): Round {
    return this.clockRound.round;
  }
  get lastProposedRound(): Round {
    return this.lastProposed.round;
  }
  get lastCommitIndex(): number {
    return this.dag.lastCommitIndex;
  }
  get suspendedCount(): number {
    return this.blockManager.suspendedCount;
  }
  /** second blocks seen for a slot (author, round) so far */
  get equivocations(): number {
    return this.dag.equivocations;
  }
  leaderAt(round: Round): AuthorityIndex {
    return this.schedule.leaderAt(round);
  }

  /** Restores state from the store (see `recoverCore`), used only right after construction. */
  restore(
    blocks: readonly VerifiedBlock[],
    commits: readonly StoredCommit[],
    lastCommit?: StoredCommit,
  ): void {
    if (lastCommit !== undefined) this.dag.setLastCommit(lastCommit.commit, lastCommit.digest);
    const gc = this.dag.gcRound();
    for (const b of blocks) {
      if (b.round <= gc && b.author !== this.own) continue;
      this.dag.accept(b);
      this.clockRound.add(b.round, b.author);
    }
    for (const c of commits) for (const r of c.commit.blocks) this.dag.markCommitted(refKey(r));
    if (lastCommit !== undefined) this.lastDecided = { round: lastCommit.commit.leader.round, offset: 0 };
    this.lastProposed = this.dag.lastBlockOf(this.own);
    // weak links to blocks already referenced by the own last block are not repeated
    for (const a of this.lastProposed.ancestors) this.lastIncluded[a.author] = a.round;
    this.lastIncluded[this.own] = this.lastProposed.round;
    this.roundStartMs = this.deps.clock();
  }

  /** Feeds verified blocks (any order, duplicates fine). */
  addBlocks(blocks: readonly VerifiedBlock[]): CoreOutput {
    for (const b of blocks)
      if (b.author === this.own && b.round > this.ownRoundFloor) this.ownRoundFloor = b.round;
    this.observeVotes(blocks);
    const res = this.blockManager.tryAccept(blocks);
    this.onAccepted(res.accepted);
    this.out.missing.push(...res.missing);
    this.tryCommit();
    this.tryPropose();
    return this.flushOutput();
  }

  /** Timer tick: retries the proposal (leader timeout, minimum round delay). */
  tick(): CoreOutput {
    this.tryPropose();
    return this.flushOutput();
  }

  /** Amnesia guard: the own last block known to peers was fetched and added (or none exists). */
  ownLastBlockSynced(): CoreOutput {
    this.awaitingOwnSync = false;
    this.lastProposed = this.dag.lastBlockOf(this.own);
    this.tryPropose();
    return this.flushOutput();
  }

  get isAwaitingOwnSync(): boolean {
    return this.awaitingOwnSync;
  }

  /** Refs still missing (for a periodic synchronizer sweep). */
  missingBlocks(): BlockRef[] {
    return this.blockManager.missingBlocks();
  }

  /** Highest commit index that validators of quorum stake have voted for (commit sync trigger). */
  quorumCommitIndex(): number {
    return this.votes.quorumCommitIndex();
  }

  /**
   * The accepted blocks of quorum stake voting for `ref` (its certificate), or undefined when the votes
   * seen here (a window of 2,000 commits, since this process started) do not reach a quorum.
   */
  certificate(ref: CommitRef): VerifiedBlock[] | undefined {
    const voters = this.voteBlocks.get(ref.index);
    return voters !== undefined && isCertified(ref, voters, this.committee) ? voters : undefined;
  }

  /**
   * A certified range for a lagging peer: stored commits from `from` up to the highest index ≤ `from +
   * max − 1` that accepted blocks of quorum stake voted for, with those vote blocks. Undefined if none.
   */
  certifiedRange(
    from: number,
    max: number,
    load: (from: number, to: number) => CommittedSubDag[],
  ): { commits: CommittedSubDag[]; votes: VerifiedBlock[] } | undefined {
    const top = Math.min(this.dag.lastCommitIndex, from + max - 1);
    for (let end = top; end >= from; end--) {
      if (!this.voteBlocks.has(end)) continue;
      const commits = load(from, end);
      const last = commits[commits.length - 1];
      if (last === undefined || last.commit.index !== end) return undefined;
      const votes = this.certificate(last.commitRef);
      if (votes === undefined) continue;
      return { commits, votes };
    }
    return undefined;
  }

  /**
   * Applies commits certified elsewhere (verified with `verifyCommitRange`, blocks verified and matching
   * the commits' refs), for a validator too far behind to catch up block by block. Commits at or below the
   * local tip are skipped; the rest must continue the local chain.
   */
  addCertifiedCommits(items: readonly { commit: Commit; blocks: readonly VerifiedBlock[] }[]): CoreOutput {
    for (const { commit, blocks } of items) {
      if (commit.index <= this.dag.lastCommitIndex) continue;
      const prev = this.dag.lastCommitDigest;
      if (
        commit.index !== this.dag.lastCommitIndex + 1 ||
        (prev !== undefined && !equalBytes(prev, commit.previousDigest))
      ) {
        throw new FastEvmError(
          ErrorCode.CONSENSUS_COMMIT_INVALID,
          `certified commit ${commit.index} does not continue the chain`,
        );
      }
      if (
        blocks.length !== commit.blocks.length ||
        blocks.some((b, i) => b.key !== refKey(commit.blocks[i]!))
      ) {
        throw new FastEvmError(
          ErrorCode.CONSENSUS_COMMIT_INVALID,
          `blocks of commit ${commit.index} do not match its refs`,
        );
      }
      const fresh = blocks.filter((b) => !this.dag.has(b.key));
      // committed blocks need no causal check: every ancestor above the GC round is committed too
      this.observeVotes(fresh);
      for (const b of fresh) this.dag.accept(b);
      this.onAccepted(fresh);
      this.onAccepted(this.blockManager.onExternallyAccepted(fresh).accepted);
      for (const b of blocks) this.dag.markCommitted(b.key);
      const digest = commitDigest(commit);
      this.dag.setLastCommit(commit, digest);
      const subDag: CommittedSubDag = {
        commit,
        commitRef: { index: commit.index, digest },
        leader: commit.leader,
        blocks,
        timestampMs: commit.timestampMs,
      };
      (this.out.persist.commits as StoredCommit[]).push({ commit, digest });
      this.out.commits.push(subDag);
      this.pendingVotes.push(subDag.commitRef);
      this.onCommitted(subDag);
      if (commit.leader.round >= this.lastDecided.round)
        this.lastDecided = { round: commit.leader.round, offset: 0 };
    }
    this.onAccepted(this.blockManager.onGcAdvanced().accepted);
    this.tryCommit();
    this.tryPropose();
    return this.flushOutput();
  }

  /**
   * Records commit votes of verified blocks, accepted or still suspended: a validator far behind learns
   * the quorum commit index from blocks it cannot accept yet.
   */
  private observeVotes(blocks: readonly VerifiedBlock[]): void {
    for (const b of blocks) {
      if (b.block.commitVotes.length === 0) continue;
      this.votes.observe(b);
      for (const v of b.block.commitVotes) {
        if (v.index + 2000 < this.dag.lastCommitIndex) continue;
        const l = this.voteBlocks.get(v.index);
        if (l === undefined) this.voteBlocks.set(v.index, [b]);
        else if (!l.includes(b)) l.push(b);
      }
    }
  }

  private onAccepted(accepted: readonly VerifiedBlock[]): void {
    const now = this.deps.clock();
    for (const b of accepted) {
      if (this.clockRound.add(b.round, b.author)) this.roundStartMs = now;
      if (b.author === this.own && b.round > this.lastProposed.round) {
        // our own block came back from a peer (after amnesia): never propose at or below its round again
        this.lastProposed = b;
      }
    }
    (this.out.persist.blocks as VerifiedBlock[]).push(...accepted);
  }

  /**
   * Feeds a commit to the reputation tracker; when it closes a window, installs the new leader schedule
   * (slots after this commit are decided with it) and drops decisions cached under the old one.
   */
  private onCommitted(subDag: CommittedSubDag): void {
    const table = this.reputation.onCommit(subDag);
    if (table === undefined) return;
    this.schedule.setSwapTable(table);
    this.committer.resetCaches();
  }

  /** Replays stored commits through the reputation tracker (recovery). */
  restoreReputation(subDags: readonly CommittedSubDag[]): void {
    for (const s of subDags) this.onCommitted(s);
  }

  private tryCommit(): void {
    for (;;) {
      let decided = this.committer.tryDecide(this.lastDecided);
      if (decided.length === 0) return;
      // stop at a commit that closes a reputation window: later slots are decided under the new schedule
      let index = this.dag.lastCommitIndex;
      for (let i = 0; i < decided.length; i++) {
        if (decided[i]!.kind !== "commit") continue;
        index++;
        if (this.reputation.closesWindow(index)) {
          decided = decided.slice(0, i + 1);
          break;
        }
      }
      const last = decided[decided.length - 1]!;
      this.lastDecided = { round: last.slot.round, offset: last.slot.offset };
      const leaders = decided.flatMap((s) => (s.kind === "commit" ? [s.block] : []));
      if (leaders.length === 0) continue;
      const subDags = this.linearizer.handleCommit(leaders);
      for (const s of subDags) {
        (this.out.persist.commits as StoredCommit[]).push({ commit: s.commit, digest: s.commitRef.digest });
        this.out.commits.push(s);
        this.pendingVotes.push(s.commitRef);
        this.onCommitted(s);
      }
      const res = this.blockManager.onGcAdvanced();
      this.onAccepted(res.accepted);
      for (const i of this.voteBlocks.keys())
        if (i + 2000 < this.dag.lastCommitIndex) this.voteBlocks.delete(i);
    }
  }

  private tryPropose(): void {
    if (this.awaitingOwnSync || this.deps.observer === true || this.deps.signer === undefined) return;
    const now = this.deps.clock();
    const o = this.options;
    const decision = proposalDecision(
      {
        clockRound: this.clockRound.round,
        lastProposedRound: Math.max(this.lastProposed.round, this.ownRoundFloor),
        roundStartMs: this.roundStartMs,
        lastProposalMs: this.lastProposalMs,
        nowMs: now,
        leadersPerRound: o.leadersPerRound,
      },
      o,
      this.committee,
      this.dag,
      this.schedule,
    );
    if (decision.kind === "wait") {
      if (decision.until !== undefined) this.out.wakeAtMs = decision.until;
      return;
    }
    const round = decision.round;
    const ancestors = selectAncestors(this.own, round, this.lastProposed, this.committee, this.dag, [
      ...this.lastIncluded,
    ]);
    if (ancestors === undefined) return;
    if (decision.leaderTimedOut) this.counters.leaderTimeouts++;
    for (const a of ancestors) this.lastIncluded[a.author] = a.round;
    const timestampMs = Math.max(now, ...ancestors.map((a) => a.timestampMs));
    const transactions =
      this.deps.transactions?.select({
        maxCount: o.maxTransactionsPerBlock,
        maxBytes: o.maxBlockTransactionBytes,
        maxGas: o.maxBlockGas,
      }) ?? [];
    const votes = this.pendingVotes.splice(0, o.maxCommitVotes);
    const signed = this.deps.signer.sign({
      epoch: this.committee.epoch,
      round,
      author: this.own,
      timestampMs,
      ancestors: refsOf(ancestors),
      transactions,
      commitVotes: votes,
    });
    const block = this.blockFrom(signed);
    this.observeVotes([block]);
    const res = this.blockManager.tryAccept([block]);
    this.onAccepted(res.accepted);
    this.lastProposed = block;
    this.lastProposalMs = now;
    this.counters.blocksProposed++;
    this.out.broadcast.push(block);
    // wake up for the next round even if no block arrives (a lone validator, or a quiet network)
    const next = now + o.minRoundDelayMs;
    this.out.wakeAtMs = this.out.wakeAtMs === undefined ? next : Math.min(this.out.wakeAtMs, next);
    this.tryCommit();
  }

  private blockFrom(signed: SignedBlock): VerifiedBlock {
    return new VerifiedBlock(signed, encodeBlock(signed));
  }

  private flushOutput(): CoreOutput {
    const o = this.out;
    this.out = emptyOutput();
    return o;
  }
}

function emptyOutput(): CoreOutput {
  return {
    persist: { blocks: [], commits: [] },
    broadcast: [],
    commits: [],
    missing: [],
    wakeAtMs: undefined,
  };
}
