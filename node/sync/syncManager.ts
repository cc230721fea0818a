/**
 * The full node's block sync (after eth/68, over `SyncTransport`):
 * - at connect, a `status` round trip; a peer on another chain id or genesis is penalised past the
 *   disconnect threshold (it is hung up on) and never asked again;
 * - headers first, from the best peer (highest head, then best score): a batch of up to MAX_HEADERS_SERVE
 *   from the local head on, checked as a linked chain (numbers one apart, each parent hash the hash of the
 *   one before, the first one's parent the local head);
 * - with a consensus check (`commits`, commitCheck.ts), each header's commit stamp and prevRandao must be
 *   those of a commit certified by a quorum of the committee: a forged one costs the header peer
 *   INVALID_PENALTY and the batch is cut before it; a commit not certified yet is waited for;
 * - bodies fetched in parallel (`maxParallelBodies` requests of `bodiesPerRequest` hashes, spread over the
 *   peers whose head covers them), each decoded and checked against its header's transactions, ommers and
 *   withdrawals roots in the sync worker (`checkBodies`); a short answer is refetched, a wrong body costs its
 *   sender INVALID_PENALTY and is refetched from another peer;
 * - blocks imported in order through `Chain.importBlock`, which re-executes each one and checks its state
 *   root, receipts root, bloom and gas: nothing a peer says is trusted, and a block failing validation is
 *   not stored (its header peer is penalised, the batch dropped);
 * - then it follows new heads: announcements (`newBlockHashes`) raise a peer's known head and wake the
 *   loop; a status refresh every `statusIntervalMs` covers missed ones.
 * Every request has the transport's timeout; a timed-out one costs SLOW_PENALTY and goes to another peer.
 * A peer that failed is left alone for `backoffMs`. Bounded: at most `maxPeers` tracked peers, one header
 * batch and `maxParallelBodies` body requests in flight, no queue of announcements (only each peer's highest).
 */
import type { Block } from "../core/block/block.ts";
import { type BlockHeader, headerHash } from "../core/block/header.ts";
import { equalBytes } from "../core/bytes.ts";
import { ErrorCode, FastEvmError, isFastEvmError, isValidationError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";
import {
  type AnnouncedBlock,
  type BodyCheckResult,
  type BodyCheckTask,
  MAX_BODIES_REQUEST,
  MAX_HEADERS_SERVE,
  type SyncStatus,
} from "../core/wire/sync.ts";
import type { SyncMetrics } from "../metrics/metrics.ts";
import { INVALID_PENALTY, MIN_SCORE } from "../network/peerScores.ts";
import type { SyncTransport } from "../network/syncTransport.ts";
import type { CommitCheck } from "./commitCheck.ts";

/** What sync reads of the local head: the link, and the commit stamp and digest the consensus check anchors on. */
export interface SyncHead {
  readonly hash: Uint8Array;
  readonly header: Pick<BlockHeader, "number" | "extraData" | "mixHash">;
}

/**
 * What sync needs of the chain: its public API only (`Chain`, or the Engine API of an execution node in
 * another process, node/sync/engineSyncChain.ts).
 */
export interface SyncChain {
  head(): SyncHead;
  importBlock(block: Block): Promise<{ readonly status: string }>;
  /** starts `block`'s sender recovery before its import (`Chain.recoverAhead`), so it overlaps the one before */
  recoverAhead?(block: Block): void;
}

export interface SyncOptions {
  readonly chain: SyncChain;
  readonly transport: SyncTransport;
  /** the body check off the main thread (node/pool/syncPool.ts) */
  readonly checkBodies: (task: BodyCheckTask) => Promise<BodyCheckResult>;
  readonly chainId: bigint;
  readonly genesisHash: Uint8Array;
  readonly headersPerRequest?: number;
  readonly bodiesPerRequest?: number;
  readonly maxParallelBodies?: number;
  readonly maxPeers?: number;
  readonly backoffMs?: number;
  readonly statusIntervalMs?: number;
  /** attempts per body request before the batch is given up (and fetched again from the headers) */
  readonly maxAttempts?: number;
  readonly log?: (fields: Record<string, unknown>, msg: string) => void;
  /** the process's sync metrics (events by kind, peers, target head) */
  readonly metrics?: SyncMetrics;
  /**
   * The consensus check (`commitCheck.ts`): each header's commit stamp against the certified commits.
   * Absent: no check (a chain without consensus, as in tests of the sync path alone).
   */
  readonly commits?: CommitCheck;
  /** how long to wait for a commit's certificate before asking again, ms (default 200) */
  readonly commitWaitMs?: number;
  /** a peer that has not stored what it announced yet (an empty answer) is asked again after this, ms (250) */
  readonly notYetMs?: number;
}

/** What a slow answer (a timeout) costs: five of them weigh one invalid message. */
export const SLOW_PENALTY = INVALID_PENALTY / 5;

interface PeerState {
  readonly id: string;
  head: bigint;
  /** not asked before this time (ms) after a failure */
  backoffUntil: number;
  /** body requests in flight to this peer */
  busy: number;
}

export interface SyncCounters {
  headerBatches: number;
  bodiesReceived: number;
  blocksImported: number;
  invalidHeaders: number;
  invalidBodies: number;
  invalidBlocks: number;
  timeouts: number;
  wrongChain: number;
  retries: number;
  /** header batches refused by the consensus check (a stamp not of a certified commit) */
  invalidCommits: number;
  /** waits for a commit's certificate (the newest blocks, a round or two ahead of their votes) */
  commitWaits: number;
}

const METRIC_KIND: Record<keyof SyncCounters, string> = {
  headerBatches: "header_batch",
  bodiesReceived: "body",
  blocksImported: "block_imported",
  invalidHeaders: "invalid_headers",
  invalidBodies: "invalid_body",
  invalidBlocks: "invalid_block",
  timeouts: "timeout",
  wrongChain: "wrong_chain",
  retries: "retry",
  invalidCommits: "invalid_commit",
  commitWaits: "commit_wait",
};

export class SyncManager {
  readonly counters: SyncCounters = {
    headerBatches: 0,
    bodiesReceived: 0,
    blocksImported: 0,
    invalidHeaders: 0,
    invalidBodies: 0,
    invalidBlocks: 0,
    timeouts: 0,
    wrongChain: 0,
    retries: 0,
    invalidCommits: 0,
    commitWaits: 0,
  };
  readonly #o: Required<Omit<SyncOptions, "log" | "metrics" | "commits">> &
    Pick<SyncOptions, "log" | "metrics" | "commits">;
  readonly #peers = new Map<string, PeerState>();
  /** peers refused for another chain: never asked again (bounded like the peers) */
  readonly #banned = new Set<string>();
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #listeners: (() => void)[] = [];
  #caughtUp: (() => void)[] = [];
  /** the local head when the current catch-up began (eth_syncing's startingBlock) */
  #startingBlock: bigint | undefined;

  constructor(o: SyncOptions) {
    this.#o = {
      // the caller's options first: the defaults and caps below take their place where they apply
      ...o,
      headersPerRequest: Math.min(o.headersPerRequest ?? MAX_HEADERS_SERVE, MAX_HEADERS_SERVE),
      bodiesPerRequest: Math.min(o.bodiesPerRequest ?? 32, MAX_BODIES_REQUEST),
      maxParallelBodies: o.maxParallelBodies ?? 4,
      maxPeers: o.maxPeers ?? 64,
      backoffMs: o.backoffMs ?? 2000,
      statusIntervalMs: o.statusIntervalMs ?? 5000,
      maxAttempts: o.maxAttempts ?? 6,
      commitWaitMs: o.commitWaitMs ?? 200,
      notYetMs: Math.min(o.notYetMs ?? 250, o.backoffMs ?? 2000),
    };
    o.metrics?.peers.addCollect((g) => g.set(this.#peers.size));
    o.metrics?.targetHead.addCollect((g) => g.set(Number(this.targetHead)));
  }

  /** One event: the counter here and the metric. */
  #count(kind: keyof SyncCounters): void {
    this.counters[kind]++;
    this.#o.metrics?.events.inc({ kind: METRIC_KIND[kind] });
  }

  get peers(): readonly string[] {
    return [...this.#peers.keys()];
  }

  /** The highest head a peer has told us of (0 without peers). */
  get targetHead(): bigint {
    let best = 0n;
    for (const p of this.#peers.values()) if (p.head > best) best = p.head;
    return best;
  }

  start(): void {
    const host = this.#o.transport.host;
    const onConnect = (e: CustomEvent<{ toString(): string }>) => void this.addPeer(e.detail.toString());
    const onDisconnect = (e: CustomEvent<{ toString(): string }>) => this.#peers.delete(e.detail.toString());
    host.addEventListener("peer:connect", onConnect);
    host.addEventListener("peer:disconnect", onDisconnect);
    this.#listeners.push(() => {
      host.removeEventListener("peer:connect", onConnect);
      host.removeEventListener("peer:disconnect", onDisconnect);
    });
    this.#o.transport.onAnnounce((from, blocks) => this.#onAnnounce(from, blocks));
    for (const p of host.getPeers()) void this.addPeer(p.toString());
    this.#timer = setInterval(() => this.#refresh(), this.#o.statusIntervalMs);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const l of this.#listeners) l();
    this.#o.transport.onAnnounce(undefined);
    await this.#running;
  }

  /** Catch-up progress (eth_syncing), or undefined when the head is at the best head a peer told of. */
  progress(): { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint } | undefined {
    const current = this.#o.chain.head().header.number;
    const highest = this.targetHead;
    if (current >= highest) return undefined;
    return { startingBlock: this.#startingBlock ?? current, currentBlock: current, highestBlock: highest };
  }

  /** Resolves once the local head has reached every known peer head (now, or when sync gets there). */
  whenCaughtUp(): Promise<void> {
    if (this.#peers.size > 0 && this.#o.chain.head().header.number >= this.targetHead)
      return Promise.resolve();
    return new Promise((done) => this.#caughtUp.push(done));
  }

  /** Status handshake with `peer`; adds it when it is on our chain. Returns whether it was added. */
  async addPeer(peer: string, retry = true): Promise<boolean> {
    if (this.#stopped || this.#banned.has(peer)) return false;
    let st: SyncStatus;
    try {
      st = await this.#o.transport.request(peer, {
        kind: "status",
        ...this.#localStatus(),
      });
    } catch (e) {
      // a peer that does not speak sync (yet: a validator registers the protocol after it connects; or a
      // consensus-only process) or went away: not tracked; asked once more soon, then at each refresh
      this.#o.log?.({ peer, reason: (e as Error).message }, "sync status failed");
      if (retry && !this.#stopped) {
        const t = setTimeout(() => void this.addPeer(peer, false), this.#o.backoffMs);
        t.unref?.();
      }
      return false;
    }
    if (st.chainId !== this.#o.chainId || !equalBytes(st.genesisHash, this.#o.genesisHash)) {
      this.#count("wrongChain");
      this.#o.log?.(
        { peer, chainId: st.chainId, genesis: bytesToHex(st.genesisHash) },
        "peer on another chain: dropped",
      );
      if (this.#banned.size >= this.#o.maxPeers * 4) this.#banned.clear();
      this.#banned.add(peer);
      this.#peers.delete(peer);
      // below the threshold at once: PeerScores hangs up
      this.#o.transport.scores.penalize(
        peer,
        -MIN_SCORE + 1 + Math.max(0, this.#o.transport.scores.score(peer)),
      );
      return false;
    }
    const known = this.#peers.get(peer);
    if (known !== undefined) {
      if (st.headNumber > known.head) known.head = st.headNumber;
    } else {
      if (this.#peers.size >= this.#o.maxPeers) return false;
      this.#peers.set(peer, { id: peer, head: st.headNumber, backoffUntil: 0, busy: 0 });
    }
    this.#kick();
    return true;
  }

  #localStatus(): Omit<SyncStatus, "kind"> {
    const head = this.#o.chain.head();
    return {
      chainId: this.#o.chainId,
      genesisHash: this.#o.genesisHash,
      headNumber: head.header.number,
      headHash: head.hash,
    };
  }

  /** Status again from every connected peer: heads of the known ones, handshakes of those that failed. */
  #refresh(): void {
    for (const p of this.#o.transport.host.getPeers()) void this.addPeer(p.toString(), false);
  }

  #onAnnounce(from: string, blocks: readonly AnnouncedBlock[]): void {
    const p = this.#peers.get(from);
    if (p === undefined) return;
    let top = p.head;
    for (const b of blocks) if (b.number > top) top = b.number;
    if (top > p.head) {
      p.head = top;
      this.#kick();
    }
  }

  #penalize(p: PeerState, by: number): void {
    this.#o.transport.scores.penalize(p.id, by);
    p.backoffUntil = Date.now() + this.#o.backoffMs;
    if (this.#o.transport.scores.score(p.id) < MIN_SCORE) this.#peers.delete(p.id);
  }

  #eligible(minHead: bigint): PeerState[] {
    const now = Date.now();
    const scores = this.#o.transport.scores;
    return [...this.#peers.values()]
      .filter((p) => p.head >= minHead && p.backoffUntil <= now && scores.score(p.id) >= MIN_SCORE)
      .sort((a, b) =>
        a.head === b.head ? scores.score(b.id) - scores.score(a.id) : a.head > b.head ? -1 : 1,
      );
  }

  /** Runs the sync loop unless it runs already (then it goes round once more). */
  #kick(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.#kick();
      }
    });
  }

  async #loop(): Promise<void> {
    this.#startingBlock ??= this.#o.chain.head().header.number;
    while (!this.#stopped) {
      const local = this.#o.chain.head().header.number;
      const best = this.#eligible(local + 1n)[0];
      if (best === undefined) break;
      try {
        await this.#round(best);
      } catch (e) {
        this.#o.log?.({ peer: best.id, reason: (e as Error).message }, "sync round failed");
        best.backoffUntil = Date.now() + this.#o.backoffMs;
      }
    }
    const local = this.#o.chain.head().header.number;
    if (local >= this.targetHead && this.#peers.size > 0) {
      this.#startingBlock = undefined;
      const waiting = this.#caughtUp;
      this.#caughtUp = [];
      for (const w of waiting) w();
    } else if (!this.#stopped && this.#peers.size > 0) {
      // every peer ahead of us is backing off: look again when the first back-off ends
      let first = Date.now() + this.#o.backoffMs;
      for (const p of this.#peers.values())
        if (p.head > local && p.backoffUntil < first) first = p.backoffUntil;
      const t = setTimeout(() => this.#kick(), Math.max(10, first - Date.now()));
      t.unref?.();
    }
  }

  /** One batch: headers from `peer`, bodies from everyone, import. */
  async #round(peer: PeerState): Promise<void> {
    const local = this.#o.chain.head();
    const want = peer.head - local.header.number;
    const count = Number(want < BigInt(this.#o.headersPerRequest) ? want : BigInt(this.#o.headersPerRequest));
    let headers: readonly BlockHeader[];
    try {
      const res = await this.#o.transport.request(peer.id, {
        kind: "getBlockHeaders",
        origin: { number: local.header.number + 1n },
        count,
        skip: 0,
        reverse: false,
      });
      headers = res.headers;
    } catch (e) {
      this.#requestFailed(peer, e);
      return;
    }
    this.#count("headerBatches");
    if (headers.length === 0) {
      // it announced a head it does not serve yet (its writer is a moment behind its announcement): not
      // invalid; ask again shortly
      peer.backoffUntil = Date.now() + this.#o.notYetMs;
      return;
    }
    let hashes = this.#checkLinked(headers, local, count);
    if (typeof hashes === "string") {
      this.#count("invalidHeaders");
      this.#o.log?.({ peer: peer.id, reason: hashes }, "invalid headers");
      this.#penalize(peer, INVALID_PENALTY);
      return;
    }
    if (this.#o.commits !== undefined) {
      const v = await this.#o.commits.check(headers, local.header);
      if ("invalid" in v) {
        // a stamp no certified commit backs: the headers' sender made it up (the certified prefix is kept)
        this.#count("invalidCommits");
        this.#o.log?.(
          { peer: peer.id, block: headers[v.invalid]!.number, reason: v.reason },
          "block not of a certified commit: refused",
        );
        this.#penalize(peer, INVALID_PENALTY);
      } else if (v.verified === 0) {
        // the newest commit's votes are still on their way: ask again shortly
        this.#count("commitWaits");
        await new Promise((r) => setTimeout(r, this.#o.commitWaitMs));
        return;
      }
      if (v.verified < headers.length) {
        headers = headers.slice(0, v.verified);
        hashes = hashes.slice(0, v.verified);
      }
      if (headers.length === 0) return;
    }
    const blocks = this.#fetchBodies(headers, hashes);
    for (const [i, chunk] of blocks.entries()) {
      let got: Block[];
      try {
        got = await chunk;
      } catch (e) {
        // a later chunk's failure is left unobserved otherwise
        for (const c of blocks.slice(i + 1)) c.catch(() => {});
        throw e;
      }
      for (const [j, block] of got.entries()) {
        if (this.#stopped) return;
        const next = got[j + 1];
        if (next !== undefined) this.#o.chain.recoverAhead?.(next);
        try {
          await this.#o.chain.importBlock(block);
        } catch (e) {
          for (const c of blocks.slice(i + 1)) c.catch(() => {});
          if (isValidationError(e)) {
            // the roots matched the headers: the headers (or the chain they name) are what is wrong
            this.#count("invalidBlocks");
            this.#o.log?.(
              { peer: peer.id, block: block.header.number, code: (e as FastEvmError).code },
              "invalid block: not stored",
            );
            this.#penalize(peer, INVALID_PENALTY);
            return;
          }
          throw e;
        }
        this.#count("blocksImported");
      }
    }
  }

  /** The hashes of `headers` when they link from `local` one by one; else what is wrong. */
  #checkLinked(headers: readonly BlockHeader[], local: SyncHead, asked: number): Uint8Array[] | string {
    if (headers.length > asked) return `${headers.length} headers, asked for ${asked}`;
    const hashes: Uint8Array[] = [];
    let parentHash = local.hash;
    let number = local.header.number;
    for (const h of headers) {
      number++;
      if (h.number !== number) return `header number ${h.number}, expected ${number}`;
      if (!equalBytes(h.parentHash, parentHash)) return `header ${h.number} does not link to its parent`;
      parentHash = headerHash(h);
      hashes.push(parentHash);
    }
    return hashes;
  }

  #requestFailed(peer: PeerState, e: unknown): void {
    if (isFastEvmError(e, ErrorCode.SYNC_TIMEOUT)) {
      this.#count("timeouts");
      this.#penalize(peer, SLOW_PENALTY);
      return;
    }
    // decode / protocol errors were penalised by the transport; unreachable: it may come back
    peer.backoffUntil = Date.now() + this.#o.backoffMs;
    if (isFastEvmError(e, ErrorCode.NETWORK_UNREACHABLE)) this.#peers.delete(peer.id);
  }

  /**
   * One promise per chunk of `bodiesPerRequest` headers, in order, each resolving to its blocks; at most
   * `maxParallelBodies` requests in flight overall, each retried on another peer.
   */
  #fetchBodies(headers: readonly BlockHeader[], hashes: readonly Uint8Array[]): Promise<Block[]>[] {
    const size = this.#o.bodiesPerRequest;
    let slots = this.#o.maxParallelBodies;
    const waiting: (() => void)[] = [];
    const acquire = async () => {
      while (slots === 0) await new Promise<void>((r) => waiting.push(r));
      slots--;
    };
    const release = () => {
      slots++;
      waiting.shift()?.();
    };
    const out: Promise<Block[]>[] = [];
    for (let i = 0; i < headers.length; i += size) {
      const hs = headers.slice(i, i + size);
      const ids = hashes.slice(i, i + size);
      out.push(this.#fetchChunk(hs, ids, acquire, release));
    }
    return out;
  }

  async #fetchChunk(
    headers: readonly BlockHeader[],
    hashes: readonly Uint8Array[],
    acquire: () => Promise<void>,
    release: () => void,
  ): Promise<Block[]> {
    const blocks: Block[] = [];
    const tried = new Set<string>();
    let attempts = 0;
    while (blocks.length < headers.length) {
      if (this.#stopped) throw new FastEvmError(ErrorCode.SYNC_TIMEOUT, "sync stopped");
      if (attempts++ >= this.#o.maxAttempts)
        throw new FastEvmError(
          ErrorCode.SYNC_TIMEOUT,
          `bodies from ${headers[0]!.number}: no peer delivered`,
        );
      if (attempts > 1) this.#count("retries");
      const rest = headers.slice(blocks.length);
      const last = rest[rest.length - 1]!.number;
      await acquire();
      let peer: PeerState | undefined;
      try {
        const candidates = this.#eligible(last);
        // a peer not yet tried for this chunk, the least busy first
        peer =
          candidates.filter((p) => !tried.has(p.id)).sort((a, b) => a.busy - b.busy)[0] ??
          candidates.sort((a, b) => a.busy - b.busy)[0];
        if (peer === undefined) {
          release();
          await new Promise((r) => setTimeout(r, Math.min(500, this.#o.backoffMs)));
          continue;
        }
        tried.add(peer.id);
        peer.busy++;
        const got = await this.#bodiesFrom(peer, rest, hashes.slice(blocks.length));
        blocks.push(...got);
      } finally {
        if (peer !== undefined) {
          peer.busy--;
          release();
        }
      }
    }
    return blocks;
  }

  /** Asks `peer` for the bodies of `headers`; returns the good prefix (penalising what was wrong). */
  async #bodiesFrom(
    peer: PeerState,
    headers: readonly BlockHeader[],
    hashes: readonly Uint8Array[],
  ): Promise<Block[]> {
    let bodies: readonly Uint8Array[];
    try {
      bodies = (await this.#o.transport.request(peer.id, { kind: "getBlockBodies", hashes: [...hashes] }))
        .bodies;
    } catch (e) {
      this.#requestFailed(peer, e);
      return [];
    }
    if (bodies.length > headers.length) {
      this.#count("invalidBodies");
      this.#penalize(peer, INVALID_PENALTY);
      return [];
    }
    if (bodies.length === 0) {
      peer.backoffUntil = Date.now() + this.#o.notYetMs;
      return [];
    }
    const checked = await this.#o.checkBodies({
      expected: headers.slice(0, bodies.length).map((h) => ({
        transactionsRoot: h.transactionsRoot,
        ommersHash: h.ommersHash,
        ...(h.withdrawalsRoot === undefined ? {} : { withdrawalsRoot: h.withdrawalsRoot }),
      })),
      bodies,
    });
    const out: Block[] = [];
    for (const [i, item] of checked.items.entries()) {
      if (!item.ok) {
        this.#count("invalidBodies");
        this.#o.log?.(
          { peer: peer.id, block: headers[i]!.number, code: item.code, reason: item.message },
          "invalid body",
        );
        this.#penalize(peer, INVALID_PENALTY);
        break;
      }
      this.#count("bodiesReceived");
      out.push({
        header: headers[i]!,
        transactions: item.transactions,
        ommers: item.ommers,
        ...(item.withdrawals === undefined ? {} : { withdrawals: item.withdrawals }),
      });
    }
    return out;
  }
}
