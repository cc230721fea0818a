/**
 * The pool's internal records (not exported from the package): a pooled transaction with its derived prices
 * and proposal state, and one sender's lists. A sender's `pending` array is its executable run: entry i has
 * nonce `nonce + i` (the state nonce at the last sync); `queued` holds the nonces behind a gap.
 */
import { bytesToHex } from "../core/hex.ts";
import { feeCap, tipCap } from "../core/tx/types.ts";
import { TX_SLOT_SIZE } from "./config.ts";
import type { HeapItem } from "./heap.ts";
import type { PoolTx, PoolTxInput, PoolTxStatus } from "./types.ts";

/** min(tipCap, feeCap - baseFee): what the block producer earns per gas; negative when the fee cap is short. */
export function effectiveTip(fee: bigint, tip: bigint, baseFee: bigint): bigint {
  const room = fee - baseFee;
  return tip < room ? tip : room;
}

export class Entry implements PoolTx, HeapItem {
  readonly raw: Uint8Array;
  readonly tx: PoolTxInput["tx"];
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly sender: Uint8Array;
  readonly senderHex: string;
  readonly nonce: bigint;
  readonly local: boolean;
  readonly size: number;
  readonly slots: number;
  readonly intrinsicGas: number;
  readonly gasLimit: bigint;
  readonly feeCap: bigint;
  readonly tipCap: bigint;
  readonly cost: bigint;
  readonly addedAt: number;
  /** admission order, the last tie-breaker of both orders */
  readonly seq: number;
  status: PoolTxStatus = "queued";
  proposedAt: number | undefined = undefined;
  seenInDagAt: number | undefined = undefined;
  /** this validator proposed it once: the remote delay no longer holds it back */
  proposedHere = false;
  /** effective tip at the pool's base fee (refreshed on each new base fee) */
  effTip: bigint;
  /** removed from the pool (set before the account lists are swept) */
  gone = false;
  /** position in the eviction heap; -1 when out (locals are never in it) */
  heapIndex = -1;

  constructor(
    input: PoolTxInput,
    hashHex: string,
    senderHex: string,
    now: number,
    seq: number,
    baseFee: bigint,
  ) {
    const tx = input.tx;
    this.raw = input.raw;
    this.tx = tx;
    this.hash = input.hash;
    this.hashHex = hashHex;
    this.sender = input.sender;
    this.senderHex = senderHex;
    this.nonce = tx.nonce;
    this.local = input.local;
    this.size = input.raw.length;
    this.slots = slotsOf(this.size);
    this.intrinsicGas = input.intrinsicGas;
    this.gasLimit = tx.gasLimit;
    this.feeCap = feeCap(tx);
    this.tipCap = tipCap(tx);
    this.cost = tx.gasLimit * this.feeCap + tx.value;
    this.addedAt = now;
    this.seq = seq;
    this.effTip = effectiveTip(this.feeCap, this.tipCap, baseFee);
  }
}

/** geth's numSlots: ceil(size / 32 KiB), at least 1. */
export function slotsOf(size: number): number {
  return Math.max(1, Math.ceil(size / TX_SLOT_SIZE));
}

export class Account implements HeapItem {
  readonly address: Uint8Array;
  readonly key: string;
  /** state nonce and balance at the last sync */
  nonce: bigint;
  balance: bigint;
  pending: Entry[] = [];
  /** sum of the pending entries' cost (geth's overdraft accounting) */
  pendingCost = 0n;
  readonly queued = new Map<bigint, Entry>();
  /** it has sent a local transaction: exempt from eviction, truncation, the queue cap and expiry (geth) */
  local = false;
  /** geth's heartbeat: when its queue last gained a first entry or promoted; undefined with an empty queue */
  beat: number | undefined = undefined;
  /** position in the proposal heap and its cursor into `pending` (scratch of one selection) */
  heapIndex = -1;
  sel = 0;

  constructor(address: Uint8Array, nonce: bigint, balance: bigint) {
    this.address = address;
    this.key = bytesToHex(address);
    this.nonce = nonce;
    this.balance = balance;
  }

  /** the next nonce after the pending run */
  get pendingEnd(): bigint {
    return this.nonce + BigInt(this.pending.length);
  }

  /** the entry at `nonce`, pending or queued */
  find(nonce: bigint): Entry | undefined {
    if (nonce >= this.nonce) {
      const i = nonce - this.nonce;
      if (i < BigInt(this.pending.length)) return this.pending[Number(i)];
    }
    return this.queued.get(nonce);
  }

  get empty(): boolean {
    return this.pending.length === 0 && this.queued.size === 0;
  }
}
