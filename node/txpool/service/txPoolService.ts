/**
 * The txpool's wiring (the pure pool, `node/txpool/pool.ts`, does no I/O): admission through the recover
 * pool with the shared sender cache, the head state for nonces and balances, the chain's head changes
 * (inclusions, reorgs), the local journal, transaction gossip, and what consensus and the payload builder
 * take from the pool (`TxSource`).
 *
 * Life of a transaction (ARCHITECTURE §2):
 * - `submit` (`eth_sendRawTransaction`, the journal) or `onGossip` (a peer): decoded and recovered off the main
 *   thread, then admitted or refused with geth's message; a local one is journaled before the submitter
 *   hears "accepted", and gossiped to the other validators in batches;
 * - `select` (a DAG block being proposed): the best executable transactions, marked in flight; a remote
 *   one only once its origin has had time to propose it (`remoteEligible`);
 * - `returnToPending` (the payload builder skipped it: the block ran out of gas, or it was invalid at its
 *   position): proposable again at once;
 * - a new canonical head: included transactions leave, the rest are re-checked against the new state; a
 *   reorg re-injects the transactions of the blocks it dropped (up to `MAX_REINJECT_DEPTH` blocks).
 * Head changes are handled one at a time, in order (`#events`).
 */
import type { BlockHeader } from "../../core/block/header.ts";
import { setNewest } from "../../core/boundedMap.ts";
import { calcBaseFee } from "../../core/chain/fees.ts";
import { ErrorCode, type ErrorObject, type FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import type { SenderCache } from "../../core/tx/senderCache.ts";
import type { RecoverItem } from "../../core/wire/recover.ts";
import type { TxBatch, TxBatchVerdict } from "../../core/wire/txpool.ts";
import type { TxPoolMetrics } from "../../metrics/metrics.ts";
import { type TxPoolErrorCode, txPoolError } from "../errors.ts";
import type { SelectionLimits, TxSource } from "../source.ts";
import type { TxPool } from "../txPool.ts";
import type { AddResult, PoolHead, PoolStateReader, PoolTx, PoolTxInput, TxPoolEvent } from "../types.ts";
import type { TxJournal } from "./journal.ts";

/** Blocks of a reorg whose transactions go back into the pool (geth re-injects from any depth it reorgs). */
export const MAX_REINJECT_DEPTH = 64;
/** Gossip batches leave at most this often (ms); a batch that fills up leaves at once. */
export const GOSSIP_FLUSH_MS = 20;
/** Local transactions gathered for one gossip flush; past it the flush happens immediately. */
const GOSSIP_BATCH = 512;
/** How often queued transactions are checked against `lifetime`, and the journal rewritten (ms). */
export const EXPIRE_INTERVAL_MS = 60_000;
export const JOURNAL_ROTATE_MS = 60 * 60 * 1000;
/**
 * Transactions waiting for their admission batch; past it a submission is refused at once (`txpool is
 * full: admission queue full, retry`) instead of queueing without bound.
 */
export const MAX_ADMISSION_QUEUE = 16_384;
/** The cheapest transaction: below this much gas left, a selection returns nothing. */
const MIN_TX_GAS = 21_000n;
/** the head accounts kept between head changes: more senders than a block interval sees at 10,000 tx/s */
const STATE_CACHE_ACCOUNTS = 65_536;
const NO_ACCOUNT = { nonce: 0n, balance: 0n } as const;

export interface ChainView {
  head(): { hash: Uint8Array; header: BlockHeader };
  readonly store: {
    account(address: Uint8Array): { readonly nonce: bigint; readonly balance: bigint } | undefined;
    body(hash: Uint8Array): { readonly transactions: readonly Uint8Array[] } | undefined;
  };
  onHeadChange(
    listener: (c: {
      head: { hash: Uint8Array; header: BlockHeader };
      removed: readonly { hash: Uint8Array; header: BlockHeader }[];
      added: readonly { hash: Uint8Array; header: BlockHeader }[];
    }) => void,
  ): () => void;
}

export interface TxPoolServiceDeps {
  readonly pool: TxPool;
  readonly chain: ChainView;
  readonly chainId: bigint;
  /** the recover pool (decode + stateless checks + sender) */
  readonly recover: (txs: readonly Uint8Array[], chainId: bigint | null) => Promise<RecoverItem[]>;
  /** shared with the payload builder and block import */
  readonly senders: SenderCache;
  readonly journal?: TxJournal;
  readonly clock?: () => number;
  readonly log?: (m: string) => void;
  /** the process's txpool metrics, counted here (the pure pool does no I/O); absent: nothing is measured */
  readonly metrics?: TxPoolMetrics;
}

/** What a validator's network side gives the pool (`connect`). */
export interface PoolLink {
  /** transaction gossip; absent: this node relays nothing */
  readonly gossip?: { publish(txs: readonly Uint8Array[]): Promise<void> };
  /**
   * Whether the validator that published a remote transaction is still proposing (then it proposes the
   * transaction itself). Absent: the pool's own delay rule alone decides.
   */
  readonly originActive?: (origin: string) => boolean;
}

/** What a submitter hears about one transaction. */
export type SubmitResult =
  | { readonly ok: true; readonly hash: string }
  | { readonly ok: false; readonly hash: string | null; readonly error: ErrorObject };

export class TxPoolService implements TxSource {
  readonly pool: TxPool;
  readonly #d: TxPoolServiceDeps;
  readonly #clock: () => number;
  #events: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #timers: NodeJS.Timeout[] = [];
  #gossipQueue: Uint8Array[] = [];
  #gossipTimer: NodeJS.Timeout | undefined;
  #link: PoolLink = {};
  /** submissions waiting for the next admission batch (at most MAX_ADMISSION_QUEUE transactions) */
  #submissions: { raws: readonly Uint8Array[]; resolve: (r: SubmitResult[]) => void }[] = [];
  #submitted = 0;
  /** this node's proposals not yet seen in a commit: hash → gas limit and when proposed */
  readonly #reserved = new Map<string, { gas: bigint; at: number }>();
  #reservedGas = 0n;
  /** origin peer of each remote transaction still in the pool, by hash */
  readonly #origins = new Map<string, string>();
  readonly #pendingListeners = new Set<(tx: { hash: Uint8Array; raw: Uint8Array }) => void>();
  readonly counters = { submitted: 0, accepted: 0, refused: 0, gossipIn: 0, reinjected: 0, returned: 0 };

  constructor(deps: TxPoolServiceDeps) {
    this.#d = deps;
    this.pool = deps.pool;
    this.#clock = deps.clock ?? Date.now;
    const m = deps.metrics;
    if (m !== undefined) {
      m.pending.addCollect((g) => g.set(this.pool.stats().pending));
      m.queued.addCollect((g) => g.set(this.pool.stats().queued));
      m.admissionQueue.addCollect((g) => g.set(this.#submitted));
    }
  }

  /** Counts one pool event into the metrics. */
  #count(e: TxPoolEvent): void {
    const m = this.#d.metrics;
    if (m === undefined) return;
    switch (e.kind) {
      case "added":
        m.added.inc({ origin: e.tx.local ? "local" : "remote" });
        break;
      case "evicted":
        m.evicted.inc();
        break;
      case "dropped":
        m.dropped.inc({ reason: e.reason });
        break;
      case "replaced":
        m.replaced.inc();
        break;
      case "included":
        m.included.inc();
        break;
    }
  }

  /** The head the pool checks against: the next block's base fee, the head's gas limit. */
  static poolHead(header: BlockHeader): PoolHead {
    return {
      number: header.number,
      baseFee:
        header.baseFeePerGas === undefined ? 0n : calcBaseFee(header as Parameters<typeof calcBaseFee>[0]),
      gasLimit: header.gasLimit,
    };
  }

  /**
   * The head state's accounts read since the chain's head last changed, by hex address: a sender's nonce and
   * balance move only with the head, so its next transactions are checked without another LMDB read and
   * RLP decode. Emptied by every head change the moment the chain reports it (the flat state changes with
   * the head and only with it), and at STATE_CACHE_ACCOUNTS entries the oldest go first.
   */
  readonly #headAccounts = new Map<string, { readonly nonce: bigint; readonly balance: bigint }>();

  /** The pool's view of the head state: flat-state accounts. */
  readonly state: PoolStateReader = {
    account: (address) => {
      const key = bytesToHex(address);
      const known = this.#headAccounts.get(key);
      if (known !== undefined) return known;
      const a = this.#d.chain.store.account(address);
      const v = a === undefined ? NO_ACCOUNT : { nonce: a.nonce, balance: a.balance };
      setNewest(this.#headAccounts, key, v, STATE_CACHE_ACCOUNTS);
      return v;
    },
  };

  /**
   * Re-admits the journal's transactions (as local), then follows the chain and starts the timers. Returns
   * how many journaled transactions were admitted again.
   */
  async start(): Promise<number> {
    this.pool.newHead({
      head: TxPoolService.poolHead(this.#d.chain.head().header),
      state: this.state,
      included: [],
      now: this.#clock(),
    });
    let restored = 0;
    const journal = this.#d.journal;
    if (journal !== undefined) {
      const txs = journal.load();
      if (txs.length > 0) {
        const results = await this.#admit(txs, { local: true, journal: false, gossip: true });
        restored = results.filter((r) => r.ok).length;
        this.#d.log?.(`txpool: ${restored} of ${txs.length} journaled transactions restored`);
      }
      journal.rotate(this.pool.locals().map((t) => t.raw));
    }
    this.#unsubscribe = this.#d.chain.onHeadChange((c) => {
      this.#headAccounts.clear(); // the flat state has moved: reads from here on see the new head
      this.#events = this.#events
        .then(() => this.#onHead(c))
        .catch((e: unknown) => {
          this.#d.log?.(`txpool: head update failed: ${(e as Error).message}`);
        });
    });
    this.#headAccounts.clear(); // what the journal's re-admission read may predate a head change
    this.#timers.push(
      setInterval(() => this.pool.expire(this.#clock()), EXPIRE_INTERVAL_MS),
      setInterval(() => journal?.rotate(this.pool.locals().map((t) => t.raw)), JOURNAL_ROTATE_MS),
    );
    for (const t of this.#timers) t.unref();
    return restored;
  }

  /** Stops following the chain, flushes gossip and closes the journal (the locals stay in it). */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#events;
    this.#flushGossip();
    this.#d.journal?.close();
  }

  /**
   * The pool's events (the wiring passes this as the pool's `onEvent`): a transaction that becomes
   * pending (admitted executable, or promoted) goes to the `onPending` listeners (RPC subscriptions).
   */
  handleEvent(e: TxPoolEvent): void {
    this.#count(e);
    if (this.#pendingListeners.size === 0) return;
    const pending = e.kind === "promoted" || (e.kind === "added" && e.tx.status === "pending");
    if (!pending) return;
    const t = { hash: e.tx.hash, raw: e.tx.raw };
    for (const l of this.#pendingListeners) {
      try {
        l(t);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  /** `newPendingTransactions`: calls `cb` for each transaction that becomes pending; returns the unsubscribe. */
  onPending(cb: (tx: { hash: Uint8Array; raw: Uint8Array }) => void): () => void {
    this.#pendingListeners.add(cb);
    return () => this.#pendingListeners.delete(cb);
  }

  /** Attaches (or, with `{}`, detaches) the validator's gossip and its view of the other validators. */
  connect(link: PoolLink): void {
    if (link.gossip === undefined) this.#flushGossip();
    this.#link = link;
  }

  /** Transactions submitted to this node (`eth_sendRawTransaction`): admitted as local, journaled, gossiped. */
  submit(raws: readonly Uint8Array[]): Promise<SubmitResult[]> {
    this.counters.submitted += raws.length;
    if (this.#submitted + raws.length > MAX_ADMISSION_QUEUE) {
      const busy = txPoolError(ErrorCode.TXPOOL_FULL, "admission queue full, retry").toObject();
      this.#d.metrics?.refused.inc({ reason: busy.code }, raws.length);
      return Promise.resolve(raws.map(() => ({ ok: false, hash: null, error: busy })));
    }
    return new Promise((resolve) => {
      this.#submissions.push({ raws, resolve });
      this.#submitted += raws.length;
      if (this.#submissions.length === 1) setImmediate(() => void this.#admitSubmissions());
    });
  }

  /**
   * Everything submitted since the last turn of the event loop, admitted together: one trip to the recover
   * pool (in chunks) for many single-transaction requests instead of one each.
   */
  async #admitSubmissions(): Promise<void> {
    const batch = this.#submissions;
    this.#submissions = [];
    this.#submitted = 0;
    const all = batch.flatMap((b) => b.raws);
    let results: SubmitResult[];
    try {
      results = await this.#admit(all, { local: true, journal: true, gossip: true });
    } catch (e) {
      const err = txPoolError(ErrorCode.TXPOOL_FULL, (e as Error).message).toObject();
      results = all.map(() => ({ ok: false, hash: null, error: err }));
    }
    let at = 0;
    for (const b of batch) {
      b.resolve(results.slice(at, at + b.raws.length));
      at += b.raws.length;
    }
  }

  /**
   * A gossiped batch from `from`: admitted as remote. Any transaction that does not decode or recover
   * rejects the batch (and costs the peer score); a batch of only known ones is ignored.
   */
  async onGossip(from: string, batch: TxBatch): Promise<TxBatchVerdict> {
    this.counters.gossipIn += batch.txs.length;
    const results = await this.#admit(batch.txs, {
      local: false,
      journal: false,
      gossip: false,
      origin: from,
    });
    let fresh = false;
    for (const r of results) {
      if (r.ok) fresh = true;
      else if (r.hash === null) return "reject";
    }
    return fresh ? "accept" : "ignore";
  }

  async #admit(
    raws: readonly Uint8Array[],
    o: { local: boolean; journal: boolean; gossip: boolean; origin?: string },
  ): Promise<SubmitResult[]> {
    const maxBytes = this.pool.config.maxTxBytes;
    const out: (SubmitResult | undefined)[] = new Array(raws.length);
    const toRecover: Uint8Array[] = [];
    const idx: number[] = [];
    raws.forEach((raw, i) => {
      // the size rule first: an oversized transaction is not worth a trip to the recover pool
      if (raw.length > maxBytes) {
        out[i] = refusal(
          null,
          txPoolError(ErrorCode.TXPOOL_OVERSIZED, `${raw.length} bytes, limit ${maxBytes}`),
        );
      } else {
        toRecover.push(raw);
        idx.push(i);
      }
    });
    const items = await this.#d.senders.recover(toRecover, (txs) => this.#d.recover(txs, this.#d.chainId));
    const now = this.#clock();
    const admitted: Uint8Array[] = [];
    items.forEach((item, j) => {
      const i = idx[j]!;
      const raw = toRecover[j]!;
      if (!item.ok) {
        out[i] = { ok: false, hash: null, error: recoverRefusal(item.error) };
        return;
      }
      const input: PoolTxInput = {
        raw,
        tx: item.tx,
        hash: item.hash,
        sender: item.sender,
        intrinsicGas: item.intrinsicGas,
        local: o.local,
      };
      const r: AddResult = this.pool.add(input, this.state, now);
      const hash = bytesToHex(item.hash);
      if (r.ok) {
        out[i] = { ok: true, hash };
        admitted.push(raw);
        if (o.origin !== undefined) this.#origins.set(hash, o.origin);
      } else out[i] = { ok: false, hash, error: r.error.toObject() };
    });
    if (o.journal) this.#d.journal?.append(admitted);
    if (o.gossip && this.#link.gossip !== undefined) this.#queueGossip(admitted);
    const results = out as SubmitResult[];
    for (const r of results) {
      if (r.ok) this.counters.accepted++;
      else {
        this.counters.refused++;
        this.#d.metrics?.refused.inc({ reason: r.error.code });
      }
    }
    return results;
  }

  #queueGossip(txs: readonly Uint8Array[]): void {
    if (txs.length === 0) return;
    this.#gossipQueue.push(...txs);
    if (this.#gossipQueue.length >= GOSSIP_BATCH) this.#flushGossip();
    else if (this.#gossipTimer === undefined)
      this.#gossipTimer = setTimeout(() => this.#flushGossip(), GOSSIP_FLUSH_MS);
  }

  #flushGossip(): void {
    if (this.#gossipTimer !== undefined) clearTimeout(this.#gossipTimer);
    this.#gossipTimer = undefined;
    const txs = this.#gossipQueue;
    this.#gossipQueue = [];
    if (txs.length > 0) void this.#link.gossip?.publish(txs);
  }

  /** `TxSource`: the best executable transactions for one DAG block (or block), marked in flight. */
  select(limits: SelectionLimits): Uint8Array[] {
    const active = this.#link.originActive;
    const now = this.#clock();
    // what this node proposed and no commit has carried yet still counts against its share of a block
    for (const [h, r] of this.#reserved)
      if (now - r.at >= this.pool.config.proposalTimeoutMs) this.#unreserve(h);
    const maxGas = limits.maxGas - this.#reservedGas;
    if (maxGas < MIN_TX_GAS) return [];
    const picked = this.pool.selectForProposal({
      ...limits,
      maxGas,
      now,
      ...(active === undefined
        ? {}
        : {
            remoteEligible: (tx: PoolTx) => {
              const origin = this.#origins.get(tx.hashHex);
              return origin === undefined || !active(origin);
            },
          }),
    });
    for (const t of picked) {
      this.#reserved.set(t.hashHex, { gas: t.gasLimit, at: now });
      this.#reservedGas += t.gasLimit;
    }
    return picked.map((t) => t.raw);
  }

  /**
   * A commit carried these transactions (the wiring calls it before the commit executes): the ones this
   * node proposed no longer count against its share. Each validator keeps the gas of its uncommitted
   * proposals within its share, so one commit — every validator's blocks since the last one — fits one
   * EVM block, and no transaction is left over to be proposed again.
   */
  committed(raws: readonly Uint8Array[]): void {
    if (this.#reserved.size === 0) return;
    for (const raw of raws) {
      const r = this.#d.senders.get(raw);
      if (r !== undefined) this.#unreserve(bytesToHex(r.hash));
    }
  }

  /** Gas of this node's proposals that no commit has carried yet. */
  get reservedGas(): bigint {
    return this.#reservedGas;
  }

  #unreserve(hashHex: string): void {
    const r = this.#reserved.get(hashHex);
    if (r === undefined) return;
    this.#reserved.delete(hashHex);
    this.#reservedGas -= r.gas;
  }

  /**
   * Transactions seen in another validator's DAG block: someone proposed them, so this node holds back
   * (no lookup by hash: the sender cache maps the raw bytes to the hash).
   */
  markSeenInDag(raws: readonly Uint8Array[]): void {
    const hashes: Uint8Array[] = [];
    for (const raw of raws) {
      const r = this.#d.senders.get(raw);
      if (r !== undefined) hashes.push(r.hash);
    }
    if (hashes.length > 0) this.pool.markSeenInDag(hashes, this.#clock());
  }

  /** The payload builder skipped these (out of gas, invalid at their position): proposable again now. */
  returnToPending(hashes: readonly Uint8Array[]): void {
    if (hashes.length === 0) return;
    this.counters.returned += hashes.length;
    this.pool.returnToPending(hashes, this.#clock());
  }

  /** Resolves when every head change seen so far is applied to the pool (tests, shutdown). */
  settled(): Promise<void> {
    return this.#events;
  }

  async #onHead(c: Parameters<Parameters<ChainView["onHeadChange"]>[0]>[0]): Promise<void> {
    const included: Uint8Array[] = [];
    for (const b of c.added) {
      for (const raw of this.#d.chain.store.body(b.hash)?.transactions ?? []) {
        // included: the entry has served admission, the builder and the import (and the RPC's copy of the
        // block, made by its head listener before this task); a reorg that re-injects it recovers it again
        const r = this.#d.senders.take(raw);
        if (r !== undefined) {
          included.push(r.hash);
          const h = bytesToHex(r.hash);
          this.#origins.delete(h);
          this.#unreserve(h);
        }
      }
    }
    let reinject: PoolTxInput[] = [];
    if (c.removed.length > 0) {
      const raws = c.removed
        .slice(0, MAX_REINJECT_DEPTH)
        .flatMap((b) => this.#d.chain.store.body(b.hash)?.transactions ?? []);
      const items = await this.#d.senders.recover(raws, (txs) => this.#d.recover(txs, this.#d.chainId));
      reinject = items.flatMap((item, i) =>
        item.ok
          ? [
              {
                raw: raws[i]!,
                tx: item.tx,
                hash: item.hash,
                sender: item.sender,
                intrinsicGas: item.intrinsicGas,
                local: false,
              },
            ]
          : [],
      );
      this.counters.reinjected += reinject.length;
      this.#d.metrics?.reinjected.inc(reinject.length);
    }
    // the state is read at the head the chain has NOW (a later change is applied after this one)
    this.pool.newHead({
      head: TxPoolService.poolHead(this.#d.chain.head().header),
      state: this.state,
      included,
      reinject,
      now: this.#clock(),
    });
  }
}

function refusal(hash: string | null, e: FastEvmError): SubmitResult {
  return { ok: false, hash, error: e.toObject() };
}

/** The recover worker's rejections, as geth's pool names them; the worker's code stays as the cause. */
const RECOVER_REFUSALS: Partial<Record<string, TxPoolErrorCode>> = {
  [ErrorCode.TX_CHAIN_ID]: ErrorCode.TXPOOL_CHAIN_ID,
  [ErrorCode.TX_INVALID_SIGNATURE]: ErrorCode.TXPOOL_INVALID_SENDER,
  [ErrorCode.TX_SENDER_RECOVERY]: ErrorCode.TXPOOL_INVALID_SENDER,
  [ErrorCode.TX_SIGNATURE_HIGH_S]: ErrorCode.TXPOOL_INVALID_SENDER,
  [ErrorCode.TX_INVALID_V]: ErrorCode.TXPOOL_INVALID_SENDER,
  [ErrorCode.TX_UNSUPPORTED_TYPE]: ErrorCode.TXPOOL_TYPE_NOT_SUPPORTED,
  [ErrorCode.TX_INTRINSIC_GAS]: ErrorCode.TXPOOL_INTRINSIC_GAS,
};

function recoverRefusal(e: ErrorObject): ErrorObject {
  const code = RECOVER_REFUSALS[e.code];
  return code === undefined ? e : txPoolError(code, e.message, { cause: e.code }).toObject();
}
