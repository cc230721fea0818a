/**
 * One simulated validator: the real Core and BlockVerifier, a MemoryConsensusStore that survives crashes
 * (or is wiped for amnesia), and the node-side duties around Core: persist before broadcast, fetch
 * missing ancestors from the sender (and sweep every `syncIntervalMs`), serve fetches from the store,
 * re-send the own last block while the round is stuck (what a reconnecting stream does in a real node).
 */

import { VerifiedBlock } from "../../../node/consensus/mysticeti/block.ts";
import { collectFetchResponse } from "../../../node/consensus/mysticeti/blockServer.ts";
import type { BlockVerifier } from "../../../node/consensus/mysticeti/blockVerifier.ts";
import { parseCommitRange, serveCommitRange } from "../../../node/consensus/mysticeti/commitSync.ts";
import type { Core, CoreOptions, CoreOutput } from "../../../node/consensus/mysticeti/core.ts";
import { createCore } from "../../../node/consensus/mysticeti/recovery.ts";
import { MemoryConsensusStore } from "../../../node/consensus/mysticeti/store.ts";
import { bytesToUnprefixedHex } from "../../../node/core/hex.ts";
import type { BlockRef, ConsensusMessage, Round } from "../../../node/core/wire/consensus.ts";
import type { Rng } from "../utils/random.ts";
import type { TestCommittee } from "../utils/testCommittee.ts";
import type { EventQueue } from "./eventQueue.ts";
import type { SimNetwork } from "./network.ts";

export interface SimNodeConfig {
  readonly core: Partial<CoreOptions>;
  readonly syncIntervalMs: number;
  readonly rebroadcastMs: number;
  /** blocks per fetch response (requested ones plus ancestors the requester lacks) */
  readonly maxBlocksPerFetch: number;
  /** this node's clock runs ahead of virtual time by this much */
  readonly clockDriftMs: number;
  /** Byzantine: sign a second version of every own block and send each version to half the peers */
  readonly equivocate?: boolean;
  /**
   * Serve fetched blocks from the store too (true), or only from the in-memory DAG (false: blocks below
   * the GC round are gone, so a validator far behind must catch up through commit sync)
   */
  readonly serveFromStore?: boolean;
}

export interface CommitRecord {
  readonly index: number;
  readonly digest: string;
  readonly leaderRound: number;
  readonly at: number;
}

/** Verification shared by all nodes of a simulation (same bytes, same answer); drift is checked per node. */
export class SharedVerifier {
  private readonly cache = new WeakMap<Uint8Array, VerifiedBlock>();
  rejected = 0;
  constructor(private readonly verifier: BlockVerifier) {}

  verify(bytes: Uint8Array): VerifiedBlock | undefined {
    const hit = this.cache.get(bytes);
    if (hit !== undefined) return hit;
    try {
      const b = this.verifier.verifyBytes(bytes);
      this.cache.set(bytes, b);
      return b;
    } catch {
      this.rejected++;
      return undefined;
    }
  }
}

export class SimNode {
  readonly store = new MemoryConsensusStore();
  /** commits handed to "execution", across restarts (execution state survives a crash) */
  readonly commits: CommitRecord[] = [];
  core: Core | undefined;
  private incarnation = 0;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastSeenRound: Round = 0;
  private ownSyncReplies = 0;
  txCounter = 0;
  commitSyncRejects = 0;

  constructor(
    readonly id: number,
    private readonly t: TestCommittee,
    private readonly queue: EventQueue,
    private readonly net: SimNetwork,
    private readonly verifier: SharedVerifier,
    private readonly rng: Rng,
    private readonly config: SimNodeConfig,
  ) {}

  get up(): boolean {
    return this.core !== undefined;
  }

  private now(): number {
    return this.queue.now + this.config.clockDriftMs;
  }

  /** Starts (or restarts) from the store; with `amnesia`, the store was wiped and the own block is re-learned. */
  start(amnesia = false): void {
    const inc = ++this.incarnation;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (amnesia) {
      this.store.wipe();
      this.commits.length = 0;
    }
    this.core = createCore({
      committee: this.t.committee,
      authority: this.id,
      signer: this.t.signers[this.id]!,
      clock: () => this.now(),
      store: this.store,
      options: this.config.core,
      awaitOwnBlockSync: amnesia,
      transactions: {
        select: ({ maxCount }) => {
          const n = Math.min(maxCount, 3);
          return Array.from({ length: n }, () => new Uint8Array([this.id, ...u32(this.txCounter++)]));
        },
      },
    });
    this.net.attach(this.id, (from, msg) => this.onMessage(from, msg));
    if (amnesia) {
      this.ownSyncReplies = 0;
      for (let p = 0; p < this.t.committee.size; p++) {
        if (p !== this.id) this.net.send(this.id, p, { kind: "fetchLatestBlock", author: this.id });
      }
      // give up waiting after 2 s: peers that never saw our blocks cannot answer
      this.queue.schedule(2000, () => {
        if (inc === this.incarnation && this.core?.isAwaitingOwnSync)
          this.handle(this.core.ownLastBlockSynced());
      });
    }
    this.handle(this.core.tick());
    this.rebroadcastOwn();
    this.scheduleSweep(inc);
    this.scheduleRebroadcast(inc);
    this.scheduleCommitSync(inc);
  }

  crash(): void {
    this.core = undefined;
    this.incarnation++;
    this.net.attach(this.id, undefined);
  }

  private handle(out: CoreOutput, fetchFrom?: number): void {
    const core = this.core;
    if (core === undefined) return;
    // 1. persist before anything leaves the node (MemoryConsensusStore applies synchronously)
    void this.store.write(out.persist);
    // 2. broadcast own blocks, then hand commits to execution in order
    for (const b of out.broadcast) this.broadcast(b);
    for (const c of out.commits) {
      const expected = (this.commits[this.commits.length - 1]?.index ?? 0) + 1;
      if (c.commit.index !== expected)
        throw new Error(`node ${this.id}: commit ${c.commit.index}, expected ${expected}`);
      this.commits.push({
        index: c.commit.index,
        digest: bytesToUnprefixedHex(c.commitRef.digest),
        leaderRound: c.leader.round,
        at: this.queue.now,
      });
    }
    // 3. fetch what is missing, arm the timer
    if (out.missing.length > 0) this.fetch(out.missing, fetchFrom ?? this.randomPeer());
    if (out.wakeAtMs !== undefined) this.arm(out.wakeAtMs - this.config.clockDriftMs);
  }

  private broadcast(b: VerifiedBlock): void {
    const twin = this.config.equivocate === true ? this.twinOf(b) : undefined;
    for (let p = 0; p < this.t.committee.size; p++) {
      if (p === this.id) continue;
      const version = twin !== undefined && p % 2 === 1 ? twin : b;
      this.net.send(this.id, p, { kind: "block", block: version.serialized });
    }
  }

  /** A second, validly signed block for the same slot (only a Byzantine node does this). */
  private twinOf(b: VerifiedBlock): VerifiedBlock {
    const signed = this.t.signers[this.id]!.sign({
      ...b.block,
      transactions: [...b.block.transactions, EVIL_TX],
    });
    return VerifiedBlock.fromBlock(signed);
  }

  private arm(at: number): void {
    if (at >= this.timerAt) return;
    this.timerAt = at;
    const inc = this.incarnation;
    this.queue.scheduleAt(at, () => {
      if (inc !== this.incarnation || this.timerAt !== at || this.core === undefined) return;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.handle(this.core.tick());
    });
  }

  private randomPeer(): number {
    const n = this.t.committee.size;
    const p = this.rng.int(0, n - 2);
    return p >= this.id ? p + 1 : p;
  }

  private fetch(refs: readonly BlockRef[], peer: number): void {
    const core = this.core;
    if (core === undefined) return;
    this.net.send(this.id, peer, {
      kind: "fetchBlocks",
      refs: [...refs],
      highestAccepted: core.dag.highestAcceptedRounds(),
    });
  }

  private scheduleSweep(inc: number): void {
    this.queue.schedule(this.config.syncIntervalMs, () => {
      if (inc !== this.incarnation || this.core === undefined) return;
      const missing = this.core.missingBlocks();
      if (missing.length > 0) this.fetch(missing.slice(0, 64), this.randomPeer());
      this.scheduleSweep(inc);
    });
  }

  private scheduleRebroadcast(inc: number): void {
    this.queue.schedule(this.config.rebroadcastMs, () => {
      if (inc !== this.incarnation || this.core === undefined) return;
      if (this.core.round === this.lastSeenRound) this.rebroadcastOwn();
      this.lastSeenRound = this.core.round;
      this.scheduleRebroadcast(inc);
    });
  }

  /** Commit sync: far behind the quorum commit index, fetch a certified range from a random peer. */
  private scheduleCommitSync(inc: number): void {
    this.queue.schedule(1000, () => {
      if (inc !== this.incarnation || this.core === undefined) return;
      const core = this.core;
      if (core.quorumCommitIndex() > core.lastCommitIndex + 10) {
        this.net.send(this.id, this.randomPeer(), {
          kind: "fetchCommits",
          from: core.lastCommitIndex + 1,
          max: 100,
        });
      }
      this.scheduleCommitSync(inc);
    });
  }

  private rebroadcastOwn(): void {
    const core = this.core;
    if (core === undefined || core.lastProposedRound === 0) return;
    this.broadcast(core.dag.lastBlockOf(this.id));
  }

  private accept(blocks: VerifiedBlock[], from: number): void {
    const core = this.core;
    if (core === undefined || blocks.length === 0) return;
    this.handle(core.addBlocks(blocks), from);
  }

  private onMessage(from: number, msg: ConsensusMessage): void {
    const core = this.core;
    if (core === undefined) return;
    switch (msg.kind) {
      case "block": {
        const b = this.verifier.verify(msg.block);
        if (b !== undefined && b.timestampMs <= this.now() + 500) this.accept([b], from);
        return;
      }
      case "fetchBlocksResponse": {
        const blocks = msg.blocks.flatMap((bytes) => this.verifier.verify(bytes) ?? []);
        this.accept(blocks, from);
        if (core.isAwaitingOwnSync && ++this.ownSyncReplies >= this.t.committee.quorumThreshold - 1) {
          this.handle(core.ownLastBlockSynced());
        }
        return;
      }
      case "fetchBlocks":
        this.net.send(this.id, from, {
          kind: "fetchBlocksResponse",
          blocks: this.serve(msg.refs, msg.highestAccepted),
        });
        return;
      case "fetchCommits":
        this.net.send(this.id, from, serveCommitRange(core, this.store, msg.from, msg.max));
        return;
      case "fetchCommitsResponse": {
        const tip = { index: core.lastCommitIndex, digest: core.dag.lastCommitDigest };
        try {
          const items = parseCommitRange(msg, tip, this.t.committee, (bytes) => {
            const b = this.verifier.verify(bytes);
            if (b === undefined) throw new Error("invalid block in commit range");
            return b;
          });
          if (items.length > 0) this.handle(core.addCertifiedCommits(items));
        } catch {
          this.commitSyncRejects++;
        }
        return;
      }
      case "fetchLatestBlock": {
        const last = this.store.lastBlockOf(msg.author);
        this.net.send(this.id, from, {
          kind: "fetchBlocksResponse",
          blocks: last === undefined ? [] : [last.serialized],
        });
        return;
      }
    }
  }

  private serve(refs: readonly BlockRef[], highest: readonly Round[]): Uint8Array[] {
    const fromStore = this.config.serveFromStore ?? true;
    const lookup = (key: string) =>
      this.core?.dag.get(key) ?? (fromStore ? this.store.readBlock(key) : undefined);
    return collectFetchResponse(refs, highest, lookup, this.config.maxBlocksPerFetch).map(
      (b) => b.serialized,
    );
  }
}

const EVIL_TX = new Uint8Array([0xbe, 0xef]);

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
