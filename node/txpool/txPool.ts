/**
 * The transaction pool: pure logic after geth's legacypool, no I/O and no timers (every call that needs the
 * time takes `now`, the wiring's clock in ms; the state comes from a synchronous `PoolStateReader`).
 *
 * Structure. Per sender, `pending` is the run of contiguous nonces from the state nonce (executable now) and
 * `queued` the nonces behind a gap. Adding the gap-filling transaction promotes the queued run. On each new
 * head, included and nonce-consumed transactions leave, unpayable ones are dropped and what follows them is
 * demoted to queued (geth's demoteUnexecutables), then queues are promoted (promoteExecutables).
 *
 * Limits (all bounded; what each drops is a `DropReason`):
 * - the global size, `globalSlots + globalQueue` slots of 32 KiB: a remote newcomer to a full pool evicts the
 *   cheapest remote transactions (effective tip at the base fee, geth's pricedList) only if it pays more, and
 *   a gapped newcomer never evicts a pending one; a local newcomer evicts what it can and may exceed the size;
 * - `accountQueue` queued per remote account (highest nonces go), `globalQueue` queued in all (the accounts
 *   idle longest go, geth's truncateQueue), `globalSlots` pending in all (accounts above `accountSlots` shrink,
 *   largest first, geth's truncatePending), `lifetimeMs` for a remote account's idle queue (`expire`).
 * Locals (accounts that sent a transaction to this node) are never evicted, truncated, capped or expired.
 *
 * Proposals (`selectForProposal`): executable transactions, per sender in nonce order, best effective tip
 * first across senders (a heap of each sender's next transaction, as reth's best-transactions iterator), each
 * marked in flight; a remote one only after `remoteProposalDelayMs` unseen in the DAG (Sui's consensus
 * adapter: the validator a transaction arrived at proposes it, the others only if it is not included).
 *
 * Events: every change is reported through `onEvent` synchronously and in order (see `TxPoolEvent`).
 */
import { ErrorCode } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";
import { TX_GAS } from "../core/tx/intrinsicGas.ts";
import { type TxPoolConfig, txPoolConfig } from "./config.ts";
import { Account, Entry, effectiveTip } from "./entry.ts";
import { type TxPoolErrorCode, txPoolError } from "./errors.ts";
import { IndexedHeap } from "./heap.ts";
import {
  type AccountContent,
  type AddResult,
  DropReason,
  type PoolHead,
  type PoolStateReader,
  type PoolTx,
  type PoolTxInput,
  type SelectOptions,
  type TxPoolError,
  type TxPoolEvent,
  type TxPoolStats,
} from "./types.ts";

/** Locals may exceed globalSlots + globalQueue (remotes are evicted for them) up to this many times it. */
export const LOCAL_HARD_LIMIT_FACTOR = 2;

export interface TxPoolOptions {
  /** overrides of `DEFAULT_TXPOOL_CONFIG` */
  readonly config?: Partial<TxPoolConfig>;
  /** the head the pool starts at */
  readonly head: PoolHead;
  /** called synchronously for every change, in order; must not call back into the pool */
  readonly onEvent?: (e: TxPoolEvent) => void;
}

/** A new canonical head (`newHead`). */
export interface HeadUpdate {
  readonly head: PoolHead;
  /** the state at `head` */
  readonly state: PoolStateReader;
  /** hashes of the transactions the new head's block(s) included */
  readonly included: readonly Uint8Array[];
  /** transactions of the blocks a reorg dropped (the wiring bounds the depth, 64 blocks) */
  readonly reinject?: readonly PoolTxInput[];
  readonly now: number;
}

/** The error a newcomer gets when the limits that follow its insertion drop it at once. */
const NEWCOMER_DROP_ERROR: Partial<Record<DropReason, TxPoolErrorCode>> = {
  [DropReason.AccountQueue]: ErrorCode.TXPOOL_ACCOUNT_LIMIT,
  [DropReason.GlobalQueue]: ErrorCode.TXPOOL_FULL,
  [DropReason.GlobalSlots]: ErrorCode.TXPOOL_FULL,
};

const NO_EVENTS = (): void => {};

function hashKey(hash: Uint8Array | string): string {
  return typeof hash === "string" ? hash.toLowerCase() : bytesToHex(hash);
}

/** Eviction order: the cheapest first (geth's priceHeap: effective tip, fee cap, tip, then the higher nonce). */
function cheaper(a: Entry, b: Entry): boolean {
  const c = priceCmp(a, b);
  if (c !== 0) return c < 0;
  if (a.nonce !== b.nonce) return a.nonce > b.nonce;
  return a.seq > b.seq;
}

function priceCmp(a: Entry, b: Entry): number {
  if (a.effTip !== b.effTip) return a.effTip < b.effTip ? -1 : 1;
  if (a.feeCap !== b.feeCap) return a.feeCap < b.feeCap ? -1 : 1;
  if (a.tipCap !== b.tipCap) return a.tipCap < b.tipCap ? -1 : 1;
  return 0;
}

/** Proposal order across senders: the best effective tip first, then the earliest admitted. */
function proposesFirst(a: Account, b: Account): boolean {
  const x = a.pending[a.sel]!;
  const y = b.pending[b.sel]!;
  if (x.effTip !== y.effTip) return x.effTip > y.effTip;
  if (x.addedAt !== y.addedAt) return x.addedAt < y.addedAt;
  return x.seq < y.seq;
}

/** Why `e` can never execute at this state (geth's Forward and Filter), or undefined. */
function unexecutable(e: Entry, nonce: bigint, balance: bigint, gasLimit: bigint): DropReason | undefined {
  if (e.nonce < nonce) return DropReason.NonceConsumed;
  if (e.gasLimit > gasLimit) return DropReason.GasLimit;
  if (e.cost > balance) return DropReason.InsufficientFunds;
  return undefined;
}

function emptyCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

export class TxPool {
  readonly config: TxPoolConfig;
  #head: PoolHead;
  readonly #emit: (e: TxPoolEvent) => void;
  readonly #all = new Map<string, Entry>();
  readonly #accounts = new Map<string, Account>();
  /** remote entries of non-local accounts, cheapest on top */
  readonly #priced = new IndexedHeap<Entry>(cheaper);
  /** scratch heap of one selection */
  readonly #proposal = new IndexedHeap<Account>(proposesFirst);
  #pendingCount = 0;
  #queuedCount = 0;
  #slots = 0;
  #seq = 0;
  /** the clock of the call in progress (heartbeats of demotions) */
  #now = 0;
  readonly #stats = {
    added: 0,
    replaced: 0,
    included: 0,
    evicted: 0,
    dropped: emptyCounts(Object.values(DropReason)),
    refused: {} as Record<string, number>,
  };
  /** the transaction `add` is inserting, and the reason the limits dropped it, if they did */
  #newcomer: Entry | undefined;
  #newcomerDrop: DropReason | undefined;

  constructor(opts: TxPoolOptions) {
    this.config = txPoolConfig(opts.config);
    this.#head = opts.head;
    this.#emit = opts.onEvent ?? NO_EVENTS;
  }

  get head(): PoolHead {
    return this.#head;
  }

  /** transactions in the pool, pending and queued */
  get size(): number {
    return this.#all.size;
  }

  // ---------------------------------------------------------------- admission

  /**
   * Admits one recovered transaction against `state` (the head's), or refuses it with a typed error whose
   * message starts with geth's text. Never throws for a bad transaction.
   */
  add(input: PoolTxInput, state: PoolStateReader, now: number): AddResult {
    this.#now = now;
    const r = this.#add(input, state, now, false);
    this.#truncatePending();
    this.#truncateQueue();
    return this.#settle(r);
  }

  /** `add` for each, in order (a sender's transactions may come in any nonce order). */
  addBatch(inputs: readonly PoolTxInput[], state: PoolStateReader, now: number): AddResult[] {
    return inputs.map((input) => this.add(input, state, now));
  }

  /**
   * The checks in geth's order (the known-hash lookup first, as geth's add does, so a re-gossiped transaction
   * costs one lookup), then the insertion; the global truncations run after (in `add`).
   */
  #add(input: PoolTxInput, state: PoolStateReader, now: number, reinjected: boolean): AddResult {
    const cfg = this.config;
    const tx = input.tx;
    const hashHex = bytesToHex(input.hash);
    if (this.#all.has(hashHex)) return this.#refuse(ErrorCode.TXPOOL_ALREADY_KNOWN, hashHex);
    const size = input.raw.length;
    if (size > cfg.maxTxBytes)
      return this.#refuse(ErrorCode.TXPOOL_OVERSIZED, `${size} bytes, limit ${cfg.maxTxBytes}`);
    if (input.sender.length !== 20) return this.#refuse(ErrorCode.TXPOOL_INVALID_SENDER, "not 20 bytes");
    if (tx.type === 3) {
      return this.#refuse(
        ErrorCode.TXPOOL_TYPE_NOT_SUPPORTED,
        "blob transactions need blob data availability, which this chain does not have",
      );
    }
    if (tx.chainId === null) {
      if (!cfg.allowUnprotected) return this.#refuse(ErrorCode.TXPOOL_UNPROTECTED);
    } else if (tx.chainId !== cfg.chainId) {
      return this.#refuse(ErrorCode.TXPOOL_CHAIN_ID, `have ${tx.chainId}, want ${cfg.chainId}`);
    }
    if (tx.gasLimit > this.#head.gasLimit) {
      return this.#refuse(ErrorCode.TXPOOL_GAS_LIMIT, `gas ${tx.gasLimit}, block ${this.#head.gasLimit}`);
    }
    if (tx.gasLimit < BigInt(input.intrinsicGas)) {
      return this.#refuse(
        ErrorCode.TXPOOL_INTRINSIC_GAS,
        `gas ${tx.gasLimit}, minimum ${input.intrinsicGas}`,
      );
    }
    const senderHex = bytesToHex(input.sender);
    const entry = new Entry(input, hashHex, senderHex, now, this.#seq++, this.#head.baseFee);
    if (entry.tipCap > entry.feeCap) return this.#refuse(ErrorCode.TXPOOL_TIP_ABOVE_FEE_CAP);
    let acct = this.#accounts.get(senderHex);
    const isLocal = input.local || acct?.local === true;
    if (!isLocal && !reinjected && entry.tipCap < cfg.priceLimit) {
      return this.#refuse(
        ErrorCode.TXPOOL_UNDERPRICED,
        `tip needed ${cfg.priceLimit}, tip permitted ${entry.tipCap}`,
      );
    }
    const st = state.account(input.sender);
    if (acct !== undefined && (acct.nonce !== st.nonce || acct.balance !== st.balance)) {
      this.#resync(acct, st.nonce, st.balance);
      acct = this.#accounts.get(senderHex);
    }
    if (tx.nonce < st.nonce)
      return this.#refuse(ErrorCode.TXPOOL_NONCE_TOO_LOW, `next nonce ${st.nonce}, tx nonce ${tx.nonce}`);
    if (st.balance < entry.cost) {
      return this.#refuse(
        ErrorCode.TXPOOL_INSUFFICIENT_FUNDS,
        `balance ${st.balance}, tx cost ${entry.cost}`,
      );
    }
    // the overdraft check: the sender's pending costs plus this one (minus the one it replaces)
    const old = acct?.find(tx.nonce);
    const spent = acct?.pendingCost ?? 0n;
    const need = old?.status === "pending" ? spent - old.cost + entry.cost : spent + entry.cost;
    if (st.balance < need) {
      return this.#refuse(
        ErrorCode.TXPOOL_INSUFFICIENT_FUNDS,
        `balance ${st.balance}, queued cost ${spent}, overshot ${need - st.balance}`,
      );
    }
    if (old !== undefined && !this.#outbids(entry, old)) {
      return this.#refuse(
        ErrorCode.TXPOOL_REPLACE_UNDERPRICED,
        `needs +${cfg.priceBump}% on both fee cap and tip over ${old.feeCap} and ${old.tipCap}`,
      );
    }
    // a full pool: make room from the cheapest remotes, or refuse
    const limit = cfg.globalSlots + cfg.globalQueue;
    const over = this.#slots + entry.slots - (old?.slots ?? 0) - limit;
    if (over > 0) {
      // locals may push remotes out and go past the limit, but not without bound: a flood of local
      // submissions is refused at twice the pool's size (every structure here stays bounded)
      if (isLocal && this.#slots + entry.slots - (old?.slots ?? 0) > LOCAL_HARD_LIMIT_FACTOR * limit)
        return this.#refuse(ErrorCode.TXPOOL_FULL, "local transactions at twice the pool's size");
      if (!isLocal && this.#underpriced(entry)) {
        return this.#refuse(ErrorCode.TXPOOL_UNDERPRICED, "the pool is full and pays more");
      }
      const drops = this.#discard(over, isLocal, old);
      if (drops === undefined) return this.#refuse(ErrorCode.TXPOOL_FULL);
      const gapped = this.#isGapped(acct, st.nonce, tx.nonce);
      if (!isLocal && gapped && drops.some((d) => d.status === "pending")) {
        for (const d of drops) this.#priced.push(d);
        return this.#refuse(ErrorCode.TXPOOL_FUTURE_REPLACE_PENDING);
      }
      for (const d of drops) this.#evict(d);
      acct = this.#accounts.get(senderHex);
    }
    // insert
    if (acct === undefined) {
      acct = new Account(input.sender, st.nonce, st.balance);
      this.#accounts.set(senderHex, acct);
    }
    if (input.local && !acct.local) this.#makeLocal(acct);
    this.#all.set(hashHex, entry);
    this.#slots += entry.slots;
    if (!acct.local) this.#priced.push(entry);
    const prev = acct.find(tx.nonce);
    let replaced: Uint8Array | undefined;
    if (prev !== undefined) {
      entry.status = prev.status;
      if (prev.status === "pending") {
        acct.pending[Number(prev.nonce - acct.nonce)] = entry;
        acct.pendingCost += entry.cost - prev.cost;
      } else {
        acct.queued.set(prev.nonce, entry);
      }
      this.#unindex(prev);
      this.#stats.replaced++;
      this.#emit({ kind: "replaced", tx: prev, by: entry });
      replaced = prev.hash;
    } else if (tx.nonce === acct.pendingEnd) {
      entry.status = "pending";
      acct.pending.push(entry);
      acct.pendingCost += entry.cost;
      this.#pendingCount++;
    } else {
      entry.status = "queued";
      acct.queued.set(tx.nonce, entry);
      acct.beat ??= now;
      this.#queuedCount++;
    }
    this.#stats.added++;
    this.#emit({ kind: "added", tx: entry });
    this.#newcomer = entry;
    this.#newcomerDrop = undefined;
    this.#promote(acct);
    this.#capQueue(acct);
    return replaced === undefined
      ? { ok: true, hash: entry.hash, status: entry.status }
      : { ok: true, hash: entry.hash, status: entry.status, replaced };
  }

  /** The result of an add once the global limits ran: a newcomer they dropped at once is refused. */
  #settle(r: AddResult): AddResult {
    const entry = this.#newcomer;
    const reason = this.#newcomerDrop;
    this.#newcomer = undefined;
    this.#newcomerDrop = undefined;
    if (!r.ok || entry === undefined) return r;
    if (reason === undefined) return { ...r, status: entry.status };
    return this.#refuse(NEWCOMER_DROP_ERROR[reason] ?? ErrorCode.TXPOOL_FULL, `dropped at once (${reason})`);
  }

  #refuse(code: TxPoolErrorCode, detail?: string): AddResult {
    this.#stats.refused[code] = (this.#stats.refused[code] ?? 0) + 1;
    return { ok: false, error: txPoolError(code, detail) as TxPoolError };
  }

  /** geth's list.Add rule: both fee cap and tip strictly above the old and at least old * (100 + bump) / 100. */
  #outbids(tx: Entry, old: Entry): boolean {
    const pct = 100n + this.config.priceBump;
    return (
      tx.feeCap > old.feeCap &&
      tx.tipCap > old.tipCap &&
      tx.feeCap >= (old.feeCap * pct) / 100n &&
      tx.tipCap >= (old.tipCap * pct) / 100n
    );
  }

  /** the cheapest remote pays at least as much as `tx` */
  #underpriced(tx: Entry): boolean {
    const cheapest = this.#priced.peek();
    return cheapest !== undefined && priceCmp(cheapest, tx) >= 0;
  }

  /**
   * Takes the cheapest remotes out of the price heap until `slots` are free (never `keep`, the one being
   * replaced). Undefined, with the heap restored, when that is not enough and `force` is off (geth's Discard).
   */
  #discard(slots: number, force: boolean, keep: Entry | undefined): Entry[] | undefined {
    const drops: Entry[] = [];
    let freed = 0;
    let kept = false;
    while (freed < slots) {
      const e = this.#priced.pop();
      if (e === undefined) break;
      if (e === keep) {
        kept = true;
        continue;
      }
      drops.push(e);
      freed += e.slots;
    }
    if (kept) this.#priced.push(keep!);
    if (freed < slots && !force) {
      for (const d of drops) this.#priced.push(d);
      return undefined;
    }
    return drops;
  }

  /** geth's isGapped: `nonce` lies beyond the pending run and the queue does not fill the gap to it */
  #isGapped(acct: Account | undefined, stateNonce: bigint, nonce: bigint): boolean {
    const next = acct?.pendingEnd ?? stateNonce;
    if (nonce <= next) return false;
    if (acct === undefined) return true;
    if (nonce - next > BigInt(acct.queued.size)) return true;
    for (let n = next; n < nonce; n++) if (!acct.queued.has(n)) return true;
    return false;
  }

  /** The account sent a local transaction: its transactions leave the price heap (never evicted). */
  #makeLocal(acct: Account): void {
    acct.local = true;
    for (const e of acct.pending) this.#priced.remove(e);
    for (const e of acct.queued.values()) this.#priced.remove(e);
  }

  // ---------------------------------------------------------------- removal helpers

  /** Out of the hash index, the price heap and the slot count (the caller fixes the account lists). */
  #unindex(e: Entry): void {
    e.gone = true;
    this.#all.delete(e.hashHex);
    this.#slots -= e.slots;
    this.#priced.remove(e);
  }

  /** Drops `e` for `reason`: out of its account (what follows a pending one is demoted) and the pool. */
  #drop(e: Entry, reason: DropReason, kind: "dropped" | "evicted" = "dropped"): void {
    const acct = this.#accounts.get(e.senderHex)!;
    this.#detach(acct, e);
    this.#unindex(e);
    if (kind === "evicted") this.#stats.evicted++;
    else this.#stats.dropped[reason]++;
    if (e === this.#newcomer) this.#newcomerDrop = reason;
    this.#emit({ kind, tx: e, reason });
    if (acct.empty) this.#accounts.delete(acct.key);
  }

  #evict(e: Entry): void {
    this.#drop(e, DropReason.Underpriced, "evicted");
  }

  /** Takes `e` out of its account's lists; pending transactions after it are demoted (they lost their nonce). */
  #detach(acct: Account, e: Entry): void {
    if (e.status === "queued") {
      acct.queued.delete(e.nonce);
      this.#queuedCount--;
      if (acct.queued.size === 0) acct.beat = undefined;
      return;
    }
    const tail = acct.pending.splice(Number(e.nonce - acct.nonce));
    this.#pendingCount -= tail.length;
    for (const t of tail) acct.pendingCost -= t.cost;
    for (let k = 1; k < tail.length; k++) this.#demote(acct, tail[k]!);
  }

  /** To the queue (the caller took it out of the pending run and its cost). */
  #demote(acct: Account, e: Entry): void {
    e.status = "queued";
    acct.queued.set(e.nonce, e);
    acct.beat ??= this.#now;
    this.#queuedCount++;
    this.#emit({ kind: "demoted", tx: e });
  }

  // ---------------------------------------------------------------- per-account maintenance

  /** geth's promoteExecutables for one account: the queued run that continues the pending one moves up. */
  #promote(acct: Account): void {
    let next = acct.pendingEnd;
    let moved = false;
    for (let e = acct.queued.get(next); e !== undefined; e = acct.queued.get(next)) {
      acct.queued.delete(next);
      this.#queuedCount--;
      e.status = "pending";
      acct.pending.push(e);
      acct.pendingCost += e.cost;
      this.#pendingCount++;
      this.#emit({ kind: "promoted", tx: e });
      next++;
      moved = true;
    }
    if (acct.queued.size === 0) acct.beat = undefined;
    else if (moved) acct.beat = this.#now;
  }

  /** At most `accountQueue` queued for a remote account: the highest nonces go (geth's list.Cap). */
  #capQueue(acct: Account): void {
    const excess = acct.queued.size - this.config.accountQueue;
    if (acct.local || excess <= 0) return;
    const nonces = [...acct.queued.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    for (let i = 0; i < excess; i++) this.#drop(acct.queued.get(nonces[i]!)!, DropReason.AccountQueue);
  }

  /**
   * Re-validates one account at a new state (geth's demoteUnexecutables, then promoteExecutables): removes
   * what left the pool and what the nonce consumed, drops what the balance or gas limit no longer allows,
   * demotes what follows a hole, promotes what became executable, caps the queue.
   */
  #resync(acct: Account, nonce: bigint, balance: bigint): void {
    const gasLimit = this.#head.gasLimit;
    const run = acct.pending;
    acct.pending = [];
    acct.pendingCost = 0n;
    acct.nonce = nonce;
    acct.balance = balance;
    let broken = false;
    for (const e of run) {
      if (e.gone) {
        this.#pendingCount--;
        continue;
      }
      const reason = unexecutable(e, nonce, balance, gasLimit);
      if (reason !== undefined) {
        this.#pendingCount--;
        this.#unindex(e);
        this.#stats.dropped[reason]++;
        this.#emit({ kind: "dropped", tx: e, reason });
        if (reason !== DropReason.NonceConsumed) broken = true;
        continue;
      }
      if (broken || e.nonce !== acct.pendingEnd) {
        broken = true;
        this.#pendingCount--;
        this.#demote(acct, e);
        continue;
      }
      acct.pending.push(e);
      acct.pendingCost += e.cost;
    }
    for (const [n, e] of acct.queued) {
      if (e.gone) {
        acct.queued.delete(n);
        this.#queuedCount--;
        continue;
      }
      const reason = unexecutable(e, nonce, balance, gasLimit);
      if (reason !== undefined) this.#drop(e, reason);
    }
    this.#promote(acct);
    this.#capQueue(acct);
    if (acct.empty) this.#accounts.delete(acct.key);
  }

  // ---------------------------------------------------------------- global limits

  /** geth's truncatePending: above `globalSlots` pending, remote accounts above `accountSlots` shrink. */
  #truncatePending(): void {
    const { globalSlots, accountSlots } = this.config;
    if (this.#pendingCount <= globalSlots) return;
    const spammers: Account[] = [];
    for (const a of this.#accounts.values()) {
      if (!a.local && a.pending.length > accountSlots) spammers.push(a);
    }
    spammers.sort((a, b) => b.pending.length - a.pending.length);
    const offenders: Account[] = [];
    for (const s of spammers) {
      if (this.#pendingCount <= globalSlots) break;
      offenders.push(s);
      if (offenders.length < 2) continue;
      // equalize the earlier (larger) offenders down to this one's size
      const threshold = s.pending.length;
      while (
        this.#pendingCount > globalSlots &&
        offenders[offenders.length - 2]!.pending.length > threshold
      ) {
        for (let i = 0; i < offenders.length - 1; i++) this.#dropTail(offenders[i]!);
      }
    }
    // then all offenders together, down to accountSlots
    const last = offenders[offenders.length - 1];
    while (last !== undefined && this.#pendingCount > globalSlots && last.pending.length > accountSlots) {
      for (const o of offenders) this.#dropTail(o);
    }
  }

  #dropTail(acct: Account): void {
    const e = acct.pending[acct.pending.length - 1];
    if (e !== undefined) this.#drop(e, DropReason.GlobalSlots);
  }

  /**
   * geth's truncateQueue: above `globalQueue` queued, the remote account idle longest (oldest heartbeat) loses
   * its highest nonces first, then the next. A linear scan per account hit (usually one: the add that went over).
   */
  #truncateQueue(): void {
    let excess = this.#queuedCount - this.config.globalQueue;
    while (excess > 0) {
      let oldest: Account | undefined;
      for (const a of this.#accounts.values()) {
        if (a.local || a.queued.size === 0) continue;
        if (oldest === undefined || (a.beat ?? 0) < (oldest.beat ?? 0)) oldest = a;
      }
      if (oldest === undefined) return; // only locals queue
      const nonces = [...oldest.queued.keys()].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0));
      for (const n of nonces) {
        if (excess <= 0) break;
        this.#drop(oldest.queued.get(n)!, DropReason.GlobalQueue);
        excess--;
      }
    }
  }

  // ---------------------------------------------------------------- chain events

  /**
   * A new canonical head: the included transactions leave, every account is re-validated at the new state
   * (nonce consumed: dropped; unpayable or above the gas limit: dropped and what follows demoted; executable:
   * promoted), the transactions of reorged-out blocks are re-admitted (without the price-limit check, local
   * as before), the global limits are applied, and the ordering moves to the new base fee. Returns the
   * re-injections' results, in order (a refused one is gone: its error says why).
   */
  newHead(update: HeadUpdate): AddResult[] {
    const { head, state, included, now } = update;
    this.#now = now;
    const baseFeeChanged = head.baseFee !== this.#head.baseFee;
    this.#head = head;
    if (baseFeeChanged) {
      for (const e of this.#all.values()) e.effTip = effectiveTip(e.feeCap, e.tipCap, head.baseFee);
      this.#priced.rebuild();
    }
    for (const h of included) {
      const e = this.#all.get(bytesToHex(h));
      if (e === undefined) continue;
      this.#unindex(e);
      this.#stats.included++;
      this.#emit({ kind: "included", tx: e });
    }
    for (const acct of [...this.#accounts.values()]) {
      const st = state.account(acct.address);
      this.#resync(acct, st.nonce, st.balance);
    }
    const reinjected = (update.reinject ?? []).map((input) =>
      this.#settle(this.#add(input, state, now, true)),
    );
    this.#truncatePending();
    this.#truncateQueue();
    return reinjected;
  }

  /** Drops the queues of remote accounts idle longer than `lifetimeMs`; returns how many went. */
  expire(now: number): number {
    this.#now = now;
    let n = 0;
    for (const acct of [...this.#accounts.values()]) {
      if (acct.local || acct.beat === undefined || now - acct.beat <= this.config.lifetimeMs) continue;
      for (const e of [...acct.queued.values()]) {
        this.#drop(e, DropReason.Lifetime);
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- proposals

  /**
   * What the next DAG block of this validator carries: executable transactions, per sender in nonce order,
   * the best effective tip first across senders, within the caps; each is marked in flight (proposed at
   * `now`). A transaction is skipped while in flight here (until `proposalTimeoutMs`) or seen in another
   * validator's block (until `remoteProposalDelayMs`); a sender stops at a remote transaction younger than
   * `remoteProposalDelayMs` (its own validator proposes it) and at one whose fee cap is below the base fee.
   * A sender whose next transaction does not fit the byte or gas room is passed over for this block.
   */
  selectForProposal(opts: SelectOptions): PoolTx[] {
    const { maxCount, maxBytes, maxGas, now } = opts;
    const heap = this.#proposal;
    heap.clear();
    for (const acct of this.#accounts.values()) {
      if (acct.pending.length === 0) continue;
      const i = this.#nextProposable(acct, 0, now, opts.remoteEligible);
      if (i < 0) continue;
      acct.sel = i;
      heap.push(acct);
    }
    const out: PoolTx[] = [];
    let bytes = 0;
    let gas = 0n;
    const minGas = BigInt(TX_GAS);
    while (out.length < maxCount && maxGas - gas >= minGas) {
      const acct = heap.peek();
      if (acct === undefined) break;
      const e = acct.pending[acct.sel]!;
      if (bytes + e.size > maxBytes || gas + e.gasLimit > maxGas) {
        heap.pop();
        continue;
      }
      out.push(e);
      bytes += e.size;
      gas += e.gasLimit;
      e.proposedAt = now;
      e.proposedHere = true;
      const next = this.#nextProposable(acct, acct.sel + 1, now, opts.remoteEligible);
      if (next < 0) heap.pop();
      else {
        acct.sel = next;
        heap.update(acct);
      }
    }
    heap.clear();
    return out;
  }

  /** The index of the sender's next proposable pending transaction from `from`, or -1 (see selectForProposal). */
  #nextProposable(
    acct: Account,
    from: number,
    now: number,
    remoteEligible: ((tx: PoolTx) => boolean) | undefined,
  ): number {
    const { proposalTimeoutMs, remoteProposalDelayMs } = this.config;
    const run = acct.pending;
    for (let i = from; i < run.length; i++) {
      const e = run[i]!;
      if (e.effTip < 0n) return -1;
      if (e.proposedAt !== undefined && now - e.proposedAt < proposalTimeoutMs) continue;
      if (e.seenInDagAt !== undefined && now - e.seenInDagAt < remoteProposalDelayMs) continue;
      if (!e.local && !e.proposedHere) {
        if (now - e.addedAt < remoteProposalDelayMs) return -1;
        if (remoteEligible !== undefined && !remoteEligible(e)) return -1;
      }
      return i;
    }
    return -1;
  }

  /** The wiring saw these transactions in other validators' DAG blocks: this one holds off proposing them. */
  markSeenInDag(hashes: readonly Uint8Array[], now: number): void {
    for (const h of hashes) {
      const e = this.#all.get(bytesToHex(h));
      if (e !== undefined) e.seenInDagAt = now;
    }
  }

  /**
   * A commit executed without these transactions (the block ran out of gas, or one was skipped at its
   * position): they are in flight no more. One this validator proposed is proposable again at once; one it
   * did not propose waits `remoteProposalDelayMs` from `now`, so that its own proposer goes first.
   */
  returnToPending(hashes: readonly Uint8Array[], now: number): void {
    for (const h of hashes) {
      const e = this.#all.get(bytesToHex(h));
      if (e === undefined) continue;
      if (e.proposedHere) {
        e.proposedAt = undefined;
        e.seenInDagAt = undefined;
      } else {
        e.seenInDagAt = now;
      }
    }
  }

  // ---------------------------------------------------------------- views

  get(hash: Uint8Array | string): PoolTx | undefined {
    return this.#all.get(hashKey(hash));
  }

  has(hash: Uint8Array | string): boolean {
    return this.#all.has(hashKey(hash));
  }

  /** The nonce the sender's next transaction should carry: the state nonce plus its pending run. */
  pendingNonce(address: Uint8Array, state: PoolStateReader): bigint {
    const nonce = state.account(address).nonce;
    const acct = this.#accounts.get(bytesToHex(address));
    if (acct === undefined) return nonce;
    const end = acct.pendingEnd;
    if (end > nonce) return end;
    return nonce;
  }

  /** Every sender's transactions (txpool_content), keyed by `0x…` lower-case address. */
  content(): Map<string, AccountContent> {
    const out = new Map<string, AccountContent>();
    for (const acct of this.#accounts.values()) out.set(acct.key, contentOf(acct));
    return out;
  }

  /** One sender's transactions (txpool_contentFrom); empty maps for an unknown sender. */
  contentFrom(address: Uint8Array): AccountContent {
    const acct = this.#accounts.get(bytesToHex(address));
    return acct === undefined ? { pending: new Map(), queued: new Map() } : contentOf(acct);
  }

  /** txpool_status */
  status(): { pending: number; queued: number } {
    return { pending: this.#pendingCount, queued: this.#queuedCount };
  }

  /** The transactions that arrived at this node (for the journal), per sender in nonce order. */
  locals(): PoolTx[] {
    const out: PoolTx[] = [];
    for (const acct of this.#accounts.values()) {
      if (!acct.local) continue;
      for (const e of acct.pending) if (e.local) out.push(e);
      const queued = [...acct.queued.values()].filter((e) => e.local);
      queued.sort((a, b) => (a.nonce < b.nonce ? -1 : 1));
      out.push(...queued);
    }
    return out;
  }

  stats(): TxPoolStats {
    const s = this.#stats;
    return {
      pending: this.#pendingCount,
      queued: this.#queuedCount,
      slots: this.#slots,
      accounts: this.#accounts.size,
      added: s.added,
      replaced: s.replaced,
      included: s.included,
      evicted: s.evicted,
      dropped: { ...s.dropped },
      refused: { ...s.refused },
    };
  }
}

function contentOf(acct: Account): AccountContent {
  const pending = new Map<bigint, PoolTx>();
  for (const e of acct.pending) pending.set(e.nonce, e);
  const queued = new Map<bigint, PoolTx>(
    [...acct.queued.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return { pending, queued };
}
