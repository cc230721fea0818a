/**
 * A validator's consensus loop over a real network: Core (pure) + ConsensusTransport (libp2p) +
 * ConsensusStore + wall-clock timers. Every Core step runs on one serial queue and follows the Core
 * contract: persist the step's batch, then broadcast own blocks, then hand commits to `onCommit` in index
 * order (awaited: execution back-pressures consensus), then fetch missing ancestors and arm the timer.
 * Around Core it does what a validator needs to stay live: fetch missing ancestors from the peer that sent
 * the block (plus a periodic sweep), re-send the own last block while the round is stuck, and, when
 * started with an empty store, re-learn its own last block from peers before proposing (amnesia guard).
 *
 * The step queue is bounded (`maxQueuedSteps`) and says what it drops: when it is full, new peer input — a
 * received or fetched batch of blocks, a commit-sync range — is refused (counted in `stepsDropped` and
 * `fastevm_consensus_steps_dropped_total`, logged), because it is asked for again (the missing-ancestor
 * sweep, the peers' re-broadcast, the next commit-sync interval). Timer ticks are coalesced (one queued
 * tick does what several would) and the amnesia guard's one step is always admitted, so nothing the node
 * itself needs is dropped. Step failures are logged (warn) and counted; fatal ones stop the node.
 */
import type { PeerId } from "@libp2p/interface";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToUnprefixedHex } from "../core/hex.ts";
import type { BlockRef, FetchBlocksResponse, FetchCommitsResponse } from "../core/wire/consensus.ts";
import type { Logger } from "../metrics/logger.ts";
import type { ConsensusMetrics, P2pMetrics } from "../metrics/metrics.ts";
import { type BlockVerdict, ConsensusTransport } from "../network/consensusTransport.ts";
import type { Host } from "../network/host.ts";
import type { TxSource } from "../txpool/source.ts";
import type { VerifiedBlock } from "./mysticeti/block.ts";
import { collectFetchResponse } from "./mysticeti/blockServer.ts";
import { BlockVerifier } from "./mysticeti/blockVerifier.ts";
import type { CommittedSubDag } from "./mysticeti/commit.ts";
import { committedSubDagsAfter } from "./mysticeti/commitReplay.ts";
import { COMMIT_SYNC_BATCH, parseCommitRange, serveCommitRange } from "./mysticeti/commitSync.ts";
import type { Committee } from "./mysticeti/committee.ts";
import type { Core, CoreOptions, CoreOutput } from "./mysticeti/core.ts";
import { createCore } from "./mysticeti/recovery.ts";
import type { ConsensusStore } from "./mysticeti/store.ts";
import type { BlockSigner } from "./signer.ts";
import { Ed25519Verifier } from "./signer.ts";

export interface ConsensusNodeOptions {
  readonly committee: Committee;
  readonly authority: number;
  readonly signer: BlockSigner;
  readonly store: ConsensusStore;
  readonly host: Host;
  readonly transactions?: TxSource;
  /**
   * The transactions of every verified block another validator proposed (the txpool holds those back
   * instead of proposing them again); called once per block, before Core sees it.
   */
  readonly onPeerBlockTransactions?: (author: number, txs: readonly Uint8Array[]) => void;
  /** called once per commit, in index order; the next commit waits for the returned promise */
  readonly onCommit?: (subDag: CommittedSubDag) => void | Promise<void>;
  readonly core?: Partial<CoreOptions>;
  readonly clock?: () => number;
  /** the tunables below, each defaulting to CONSENSUS_NODE_DEFAULTS */
  readonly syncIntervalMs?: number;
  readonly rebroadcastMs?: number;
  readonly maxBlocksPerFetch?: number;
  readonly commitSyncIntervalMs?: number;
  readonly commitSyncLag?: number;
  readonly amnesiaGuard?: boolean;
  readonly amnesiaTimeoutMs?: number;
  readonly maxQueuedSteps?: number;
  readonly maxRecentBlocks?: number;
  /**
   * The last commit index execution has applied (persisted with its state). Stored commits after it are
   * re-sent through `onCommit` before anything new, so a crash between "commit stored" and "block
   * executed" loses nothing; execution stays idempotent by commit index.
   */
  readonly lastExecutedCommit?: number;
  /** the process's consensus metrics; absent: nothing is measured */
  readonly metrics?: ConsensusMetrics;
  /** the process's peer-to-peer metrics, for the consensus transport */
  readonly p2p?: P2pMetrics;
  /** the process's logger: step failures, refused steps, failed fetches and syncs; absent: not logged */
  readonly logger?: Pick<Logger, "warn" | "debug">;
  /** called once when the loop stops on a fatal error (`fatal`): the process should exit non-zero */
  readonly onFatal?: (e: FastEvmError) => void;
}

/** The one place ConsensusNode's defaults live. */
export const CONSENSUS_NODE_DEFAULTS = {
  /** how often missing ancestors are fetched (the sweep), ms */
  syncIntervalMs: 500,
  /** re-send the own last block when the round has not moved for this long, ms */
  rebroadcastMs: 1000,
  /** most blocks served in one fetch response */
  maxBlocksPerFetch: 500,
  /** how often commit sync checks whether it is behind, ms */
  commitSyncIntervalMs: 2000,
  /** start commit sync when the quorum commit index is this far ahead of ours */
  commitSyncLag: 20,
  /** wait for peers' view of our last block before proposing when the store is empty */
  amnesiaGuard: false,
  /** give up waiting for peers' answers after this long (then propose above what was learned), ms */
  amnesiaTimeoutMs: 5000,
  /** core steps that may wait on the queue; beyond it new peer input is refused (see the module comment) */
  maxQueuedSteps: 1024,
  /** fingerprints of verified blocks kept to skip a second verification (cleared when full) */
  maxRecentBlocks: 20_000,
} as const;

type ConsensusNodeSettings = {
  -readonly [K in keyof typeof CONSENSUS_NODE_DEFAULTS]: (typeof CONSENSUS_NODE_DEFAULTS)[K] extends boolean
    ? boolean
    : number;
};

/** What a queued step is: ticks coalesce, peer input may be refused, the own-sync step never is. */
type StepKind = "tick" | "blocks" | "commits" | "ownSync";

/** Step failures that stop the node instead of being counted and skipped. */
const FATAL_CODES: ReadonlySet<string> = new Set([
  ErrorCode.CONSENSUS_SAFETY_VIOLATION,
  ErrorCode.CONSENSUS_ENGINE_REJECTED,
]);

export class ConsensusNode {
  readonly core: Core;
  readonly transport: ConsensusTransport;
  private readonly verifier: BlockVerifier;
  private readonly clock: () => number;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly intervals: NodeJS.Timeout[] = [];
  private stopped = false;
  private started = false;
  private syncingCommits = false;
  private lastRound = 0;
  /** peer id string → authority index, from the committee file */
  private readonly authorities = new Map<string, number>();
  errors = 0;
  private readonly settings: ConsensusNodeSettings;
  /** a tick is queued and not yet run: another would do nothing more */
  private tickQueued = false;
  /** when a refused step was last logged (refusals are logged at most once a second) */
  private lastDropLogMs = 0;
  private readonly counters = {
    /** peer blocks / commit ranges refused because the queue was full */
    stepsDropped: 0,
    fetchFailures: 0,
    blocksReceived: 0,
    blocksRejected: 0,
    fetches: 0,
    commitSyncs: 0,
  };
  /** the core's running totals already added to the metrics */
  private readonly reported = { blocksProposed: 0, leaderTimeouts: 0, equivocations: 0 };
  /** core steps enqueued and not finished */
  private queued = 0;
  /** fingerprints of recently verified blocks (see onBlock) */
  private readonly recent = new Set<string>();
  /** set when Core reported a safety violation (more than f faulty): the node stops */
  fatal: FastEvmError | undefined;

  constructor(private readonly o: ConsensusNodeOptions) {
    this.clock = o.clock ?? Date.now;
    const D = CONSENSUS_NODE_DEFAULTS;
    this.settings = {
      syncIntervalMs: o.syncIntervalMs ?? D.syncIntervalMs,
      rebroadcastMs: o.rebroadcastMs ?? D.rebroadcastMs,
      maxBlocksPerFetch: o.maxBlocksPerFetch ?? D.maxBlocksPerFetch,
      commitSyncIntervalMs: o.commitSyncIntervalMs ?? D.commitSyncIntervalMs,
      commitSyncLag: o.commitSyncLag ?? D.commitSyncLag,
      amnesiaGuard: o.amnesiaGuard ?? D.amnesiaGuard,
      amnesiaTimeoutMs: o.amnesiaTimeoutMs ?? D.amnesiaTimeoutMs,
      maxQueuedSteps: o.maxQueuedSteps ?? D.maxQueuedSteps,
      maxRecentBlocks: o.maxRecentBlocks ?? D.maxRecentBlocks,
    };
    const c = o.committee;
    this.verifier = new BlockVerifier(c, new Ed25519Verifier(c.authorities.map((a) => a.protocolKey)));
    const emptyStore = o.store.lastBlockOf(o.authority) === undefined;
    this.core = createCore({
      committee: c,
      authority: o.authority,
      signer: o.signer,
      clock: this.clock,
      store: o.store,
      ...(o.transactions === undefined ? {} : { transactions: o.transactions }),
      ...(o.core === undefined ? {} : { options: o.core }),
      awaitOwnBlockSync: this.settings.amnesiaGuard && emptyStore,
    });
    c.authorities.forEach((a, i) => {
      if (a.peerId !== "") this.authorities.set(a.peerId, i);
    });
    this.transport = new ConsensusTransport(
      o.host,
      {
        onBlock: (from, bytes) => this.onBlock(from, bytes),
        onFetch: (_from, req): FetchBlocksResponse | FetchCommitsResponse => {
          if (req.kind === "fetchCommits")
            return serveCommitRange(this.core, this.o.store, req.from, req.max, req.blocks !== false);
          if (req.kind === "fetchLatestBlock") {
            const last = this.core.dag.lastBlockOf(req.author);
            const stored = this.o.store.lastBlockOf(req.author);
            const best = stored !== undefined && stored.round > last.round ? stored : last;
            return { kind: "fetchBlocksResponse", blocks: best.round === 0 ? [] : [best.serialized] };
          }
          const lookup = (key: string) => this.core.dag.get(key) ?? this.o.store.readBlock(key);
          const blocks = collectFetchResponse(
            req.refs,
            req.highestAccepted,
            lookup,
            this.settings.maxBlocksPerFetch,
          );
          return { kind: "fetchBlocksResponse", blocks: blocks.map((b) => b.serialized) };
        },
      },
      undefined,
      undefined,
      o.p2p,
    );
    const m = o.metrics;
    if (m !== undefined) {
      m.round.addCollect((g) => g.set(this.core.round));
      m.lastProposedRound.addCollect((g) => g.set(this.core.lastProposedRound));
      m.commitIndex.addCollect((g) => g.set(this.core.lastCommitIndex));
      m.quorumCommitIndex.addCollect((g) => g.set(this.core.quorumCommitIndex()));
      m.suspendedBlocks.addCollect((g) => g.set(this.core.suspendedCount));
    }
  }

  /** Whether the loop runs: started, not stopped, no safety violation. */
  get running(): boolean {
    return this.started && !this.stopped && this.fatal === undefined;
  }

  /** Adds what the core counted since the last step to the metrics (the core itself measures nothing). */
  private report(): void {
    const m = this.o.metrics;
    if (m === undefined) return;
    const c = this.core.counters;
    const r = this.reported;
    if (c.blocksProposed > r.blocksProposed) m.blocksProposed.inc(c.blocksProposed - r.blocksProposed);
    if (c.leaderTimeouts > r.leaderTimeouts) m.leaderTimeouts.inc(c.leaderTimeouts - r.leaderTimeouts);
    const eq = this.core.equivocations;
    if (eq > r.equivocations) m.equivocations.inc(eq - r.equivocations);
    r.blocksProposed = c.blocksProposed;
    r.leaderTimeouts = c.leaderTimeouts;
    r.equivocations = eq;
  }

  async start(): Promise<void> {
    if (this.o.lastExecutedCommit !== undefined && this.o.onCommit !== undefined) {
      let from = this.o.lastExecutedCommit;
      for (;;) {
        const batch = committedSubDagsAfter(this.o.store, from, 100);
        if (batch.length === 0) break;
        for (const s of batch) await this.o.onCommit(s);
        from = batch[batch.length - 1]!.commit.index;
      }
    }
    await this.transport.start();
    this.started = true;
    const cfg = this.settings;
    this.intervals.push(setInterval(() => this.sweep(), cfg.syncIntervalMs));
    this.intervals.push(setInterval(() => this.rebroadcast(), cfg.rebroadcastMs));
    this.intervals.push(setInterval(() => void this.syncCommits(), cfg.commitSyncIntervalMs));
    if (this.core.isAwaitingOwnSync) void this.syncOwnLastBlock();
    this.enqueue("tick", () => this.core.tick());
  }

  /** Dials the committee's other validators (their first address). */
  async connect(): Promise<void> {
    const c = this.o.committee;
    await Promise.allSettled(
      c.authorities.flatMap((a, i) =>
        i === this.o.authority || a.addresses[0] === undefined ? [] : [this.transport.dial(a.addresses[0])],
      ),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const i of this.intervals) clearInterval(i);
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.queue;
    await this.transport.closeBlockStreams();
  }

  /**
   * Queues a core step (bounded, see the module comment). Returns false when the step was not queued: a
   * tick already queued, or peer input refused because `maxQueuedSteps` steps are waiting.
   */
  private enqueue(kind: StepKind, step: () => CoreOutput, fetchFrom?: string): boolean {
    if (kind === "tick") {
      if (this.tickQueued) return false;
      this.tickQueued = true;
    } else if ((kind === "blocks" || kind === "commits") && this.queued >= this.settings.maxQueuedSteps) {
      this.counters.stepsDropped++;
      this.o.metrics?.stepsDropped.inc({ step: kind });
      const now = Date.now();
      if (now - this.lastDropLogMs >= 1000) {
        this.lastDropLogMs = now;
        this.o.logger?.warn(
          { step: kind, queued: this.queued, dropped: this.counters.stepsDropped, from: fetchFrom },
          "consensus queue full: refused peer input (it is fetched again)",
        );
      }
      return false;
    }
    this.queued++;
    this.o.metrics?.queueLength.set(this.queued);
    this.queue = this.queue.then(async () => {
      try {
        if (kind === "tick") this.tickQueued = false;
        if (this.stopped) return;
        await this.apply(step(), fetchFrom);
      } catch (e) {
        this.errors++;
        this.o.metrics?.errors.inc();
        this.o.logger?.warn(
          {
            step: kind,
            code: e instanceof FastEvmError ? e.code : undefined,
            err: (e as Error).message,
            errors: this.errors,
          },
          "consensus step failed",
        );
        // a safety violation, or a commit the execution node rejects deterministically: nothing after it
        // can be right, so the loop stops and the process is told (it exits non-zero)
        if (e instanceof FastEvmError && FATAL_CODES.has(e.code)) {
          this.fatal = e;
          this.stopped = true;
          this.o.onFatal?.(e);
        }
      } finally {
        this.queued--;
        this.o.metrics?.queueLength.set(this.queued);
      }
    });
    return true;
  }

  private async apply(out: CoreOutput, fetchFrom?: string): Promise<void> {
    await this.o.store.write(out.persist);
    for (const b of out.broadcast) void this.transport.broadcastBlock(b.serialized).catch(() => {});
    this.report();
    const m = this.o.metrics;
    for (const s of out.commits) {
      // from the leader's timestamp to the commit reaching execution: what a transaction's inclusion waits
      m?.commitLatency.observe(Math.max(0, this.clock() - s.timestampMs) / 1000);
      m?.commits.inc();
      await this.o.onCommit?.(s);
    }
    if (out.missing.length > 0) void this.fetch(out.missing, fetchFrom);
    if (out.wakeAtMs !== undefined) this.arm(out.wakeAtMs);
  }

  private arm(at: number): void {
    if (at >= this.timerAt || this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.enqueue("tick", () => this.core.tick());
      },
      Math.max(0, at - this.clock()),
    );
  }

  private onBlock(from: string, bytes: Uint8Array): BlockVerdict {
    // the same block arrives on the direct stream and over gossip: skip the second verification. The
    // encoding ends with the 64-byte signature, which (with the length) identifies the signed bytes; a
    // forged look-alike would fail verification anyway, so ignoring it loses nothing
    const fingerprint = `${bytes.length}:${bytesToUnprefixedHex(bytes.subarray(bytes.length - 64))}`;
    if (this.recent.has(fingerprint)) return "ignore";
    let block: VerifiedBlock;
    this.counters.blocksReceived++;
    this.o.metrics?.blocksReceived.inc();
    try {
      block = this.verifier.verifyBytes(bytes, this.clock());
    } catch (e) {
      this.counters.blocksRejected++;
      this.o.metrics?.blocksRejected.inc();
      this.o.logger?.debug({ from, err: (e as Error).message }, "rejected a peer block");
      return "reject";
    }
    if (this.recent.size > this.settings.maxRecentBlocks) this.recent.clear();
    this.recent.add(fingerprint);
    if (this.core.dag.has(block.key)) return "ignore";
    if (block.author !== this.o.authority && block.block.transactions.length > 0)
      this.o.onPeerBlockTransactions?.(block.author, block.block.transactions);
    // refused when the queue is full: forget the fingerprint so that a re-sent copy is verified again
    if (!this.enqueue("blocks", () => this.core.addBlocks([block]), from)) this.recent.delete(fingerprint);
    return "accept";
  }

  private peerFor(from?: string): PeerId | undefined {
    const peers = this.o.host.getPeers();
    if (from !== undefined) {
      const p = peers.find((x) => x.toString() === from);
      if (p !== undefined) return p;
    }
    // committee members only when their peer ids are known: full nodes connect too, and serve no DAG
    const members =
      this.authorities.size === 0 ? peers : peers.filter((p) => this.authorities.has(p.toString()));
    const pick = members.length > 0 ? members : peers;
    return pick[Math.floor(Math.random() * pick.length)];
  }

  private async fetch(refs: readonly BlockRef[], from?: string): Promise<void> {
    const peer = this.peerFor(from);
    if (peer === undefined || this.stopped) return;
    this.counters.fetches++;
    try {
      const res = await this.transport.request(peer, {
        kind: "fetchBlocks",
        refs: refs.slice(0, 256),
        highestAccepted: this.core.dag.highestAcceptedRounds(),
      });
      this.acceptFetched(res, peer.toString());
      this.o.metrics?.fetches.inc({ outcome: "ok" });
    } catch (e) {
      // the sweep retries with another peer
      this.o.logger?.debug({ peer: peer.toString(), err: (e as Error).message }, "block fetch failed");
      this.counters.fetchFailures++;
      this.o.metrics?.fetches.inc({ outcome: "failed" });
    }
  }

  private acceptFetched(res: FetchBlocksResponse, from: string): void {
    const blocks: VerifiedBlock[] = [];
    for (const bytes of res.blocks) {
      try {
        const b = this.verifier.verifyBytes(bytes, this.clock());
        if (b.author !== this.o.authority && b.block.transactions.length > 0 && !this.core.dag.has(b.key))
          this.o.onPeerBlockTransactions?.(b.author, b.block.transactions);
        blocks.push(b);
      } catch (e) {
        // one bad block in a response: the transport scores the peer on decode errors; skip it here
        this.o.logger?.debug({ from, err: (e as Error).message }, "skipped a bad fetched block");
      }
    }
    this.o.metrics?.blocksFetched.inc(blocks.length);
    if (blocks.length > 0) this.enqueue("blocks", () => this.core.addBlocks(blocks), from);
  }

  private sweep(): void {
    const missing = this.core.missingBlocks();
    if (missing.length > 0) void this.fetch(missing);
  }

  /**
   * Commit sync: when validators of quorum stake have voted for commits far beyond ours, fetch certified
   * ranges instead of walking the DAG block by block (peers may have garbage-collected those blocks).
   */
  private async syncCommits(): Promise<void> {
    const core = this.core;
    if (this.syncingCommits || this.stopped) return;
    if (core.quorumCommitIndex() <= core.lastCommitIndex + this.settings.commitSyncLag) return;
    const peer = this.peerFor();
    if (peer === undefined) return;
    this.syncingCommits = true;
    try {
      const res = await this.transport.requestCommits(peer, {
        kind: "fetchCommits",
        from: core.lastCommitIndex + 1,
        max: COMMIT_SYNC_BATCH,
      });
      const tip = { index: core.lastCommitIndex, digest: core.dag.lastCommitDigest };
      const items = parseCommitRange(res, tip, this.o.committee, (bytes) => this.verifier.verifyBytes(bytes));
      if (items.length > 0) {
        this.counters.commitSyncs++;
        this.o.metrics?.commitSyncs.inc();
        // far behind (a validator back after a long stop): the next range as soon as this one is applied,
        // not at the next interval
        if (this.enqueue("commits", () => this.core.addCertifiedCommits(items)))
          void this.queue.then(() => this.syncCommits());
      }
    } catch (e) {
      // a bad or stale range: the next interval asks another peer
      this.o.logger?.debug({ peer: peer.toString(), err: (e as Error).message }, "commit sync failed");
    } finally {
      this.syncingCommits = false;
    }
  }

  private rebroadcast(): void {
    const round = this.core.round;
    if (round === this.lastRound && this.core.lastProposedRound > 0) {
      const own = this.core.dag.lastBlockOf(this.o.authority);
      void this.transport.broadcastBlock(own.serialized).catch(() => {});
    }
    this.lastRound = round;
  }

  /**
   * Amnesia guard: ask peers for our latest block until validators that, with us, make a quorum have
   * answered (any block of ours that reached a quorum is then known), or `amnesiaTimeoutMs` passes.
   * Core refuses to propose at or below the highest own round it has seen, accepted or not.
   */
  private async syncOwnLastBlock(): Promise<void> {
    const c = this.o.committee;
    const answered = new Set<number>();
    const need = c.quorumThreshold - c.stake(this.o.authority);
    const deadline = Date.now() + this.settings.amnesiaTimeoutMs;
    const stakeAnswered = () => [...answered].reduce((s, a) => s + c.stake(a), 0);
    while (!this.stopped && stakeAnswered() < need && Date.now() < deadline) {
      const peers = this.o.host.getPeers().filter((p) => {
        const a = this.authorities.get(p.toString());
        return a !== undefined && !answered.has(a);
      });
      await Promise.allSettled(
        peers.map(async (p) => {
          const res = await this.transport.request(p, { kind: "fetchLatestBlock", author: this.o.authority });
          this.acceptFetched(res, p.toString());
          answered.add(this.authorities.get(p.toString())!);
        }),
      );
      if (stakeAnswered() < need) await new Promise((r) => setTimeout(r, 250));
    }
    this.enqueue("ownSync", () => this.core.ownLastBlockSynced());
  }

  /** Counters and positions for logs, the devnet summary and metrics. */
  stats() {
    return {
      ...this.counters,
      round: this.core.round,
      lastProposedRound: this.core.lastProposedRound,
      lastCommitIndex: this.core.lastCommitIndex,
      quorumCommitIndex: this.core.quorumCommitIndex(),
      suspended: this.core.suspendedCount,
      peers: this.o.host.getPeers().length,
      errors: this.errors,
    };
  }

  /** The timestamp (ms) of the latest block of `author` this node has accepted (0: none yet). */
  lastBlockTimeOf(author: number): number {
    return this.core.dag.lastBlockOf(author).timestampMs;
  }

  /** Authority index of a peer id, if it is in the committee. */
  authorityOf(peerId: string): number | undefined {
    return this.authorities.get(peerId);
  }
}
