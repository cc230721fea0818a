/** The pool's public data shapes: what the wiring hands in, what it gets back, and the events it can observe. */
import type { FastEvmError } from "../core/errors.ts";
import type { Transaction } from "../core/tx/types.ts";

/** A transaction after decoding and sender recovery (the recover pool); the pool never decodes or recovers. */
export interface PoolTxInput {
  /** the EIP-2718 encoding (its length is the transaction's size) */
  readonly raw: Uint8Array;
  readonly tx: Transaction;
  /** 32-byte transaction hash */
  readonly hash: Uint8Array;
  /** 20-byte recovered sender */
  readonly sender: Uint8Array;
  /** intrinsic gas, as the recover worker computed it */
  readonly intrinsicGas: number;
  /** submitted to this node (RPC, journal) rather than gossiped by a peer */
  readonly local: boolean;
}

/** The account at the pool's current head state; an absent account reads as nonce 0, balance 0. */
export interface PoolStateReader {
  account(address: Uint8Array): { readonly nonce: bigint; readonly balance: bigint };
}

/** The head the pool validates against. */
export interface PoolHead {
  readonly number: bigint;
  /** the base fee of the NEXT block (the one a proposal goes into): ordering is by effective tip at it */
  readonly baseFee: bigint;
  readonly gasLimit: bigint;
}

/** Where a pooled transaction sits: executable now (`pending`) or behind a nonce gap (`queued`). */
export type PoolTxStatus = "pending" | "queued";

/** A pooled transaction: a live read-only view (status and proposal fields change as the pool works). */
export interface PoolTx {
  readonly raw: Uint8Array;
  readonly tx: Transaction;
  readonly hash: Uint8Array;
  /** `0x…` lower-case hash, the pool's key */
  readonly hashHex: string;
  readonly sender: Uint8Array;
  /** `0x…` lower-case sender */
  readonly senderHex: string;
  readonly nonce: bigint;
  /** arrived at this node (RPC, journal) */
  readonly local: boolean;
  /** bytes of `raw` */
  readonly size: number;
  /** ceil(size / 32 KiB), geth's slot count */
  readonly slots: number;
  readonly intrinsicGas: number;
  readonly gasLimit: bigint;
  /** gasPrice, or maxFeePerGas */
  readonly feeCap: bigint;
  /** gasPrice, or maxPriorityFeePerGas */
  readonly tipCap: bigint;
  /** gasLimit * feeCap + value: what the sender must hold */
  readonly cost: bigint;
  /** clock ms when the pool admitted it */
  readonly addedAt: number;
  readonly status: PoolTxStatus;
  /** clock ms this validator last proposed it (in flight until included, returned or timed out) */
  readonly proposedAt: number | undefined;
  /** clock ms it was last seen in another validator's DAG block */
  readonly seenInDagAt: number | undefined;
}

export type TxPoolError = FastEvmError;

export type AddResult =
  | {
      readonly ok: true;
      readonly hash: Uint8Array;
      readonly status: PoolTxStatus;
      /** the hash of the transaction it replaced (same sender and nonce) */
      readonly replaced?: Uint8Array;
    }
  | { readonly ok: false; readonly error: TxPoolError };

/** Why a transaction left the pool (other than by inclusion or replacement). */
export const DropReason = {
  /** its nonce was consumed by the chain (included elsewhere, or a reorg moved the account on) */
  NonceConsumed: "nonce-consumed",
  /** the head's balance no longer covers gasLimit * feeCap + value */
  InsufficientFunds: "insufficient-funds",
  /** its gas limit is above the new head's gas limit */
  GasLimit: "gas-limit",
  /** a queued transaction idled longer than `lifetimeMs` */
  Lifetime: "lifetime",
  /** over `accountQueue` (the highest nonces go) */
  AccountQueue: "account-queue",
  /** over `globalQueue` (the accounts idle longest go first) */
  GlobalQueue: "global-queue",
  /** over `globalSlots` (accounts above `accountSlots` shrink, largest first) */
  GlobalSlots: "global-slots",
  /** the pool was full and a better-paying transaction took its room (cheapest remote first) */
  Underpriced: "underpriced",
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/**
 * What happened to a transaction; the pool calls `onEvent` synchronously, in order, for every change
 * (metrics, the journal, `newPendingTransactions` subscribe here):
 * - `added`: admitted (its status says pending or queued);
 * - `replaced`: left for `by`, same sender and nonce;
 * - `promoted` / `demoted`: moved queued → pending / pending → queued;
 * - `included`: removed, its hash was in the new head;
 * - `dropped`: removed for `reason`;
 * - `evicted`: removed to make room for a better-paying one (`reason` is `underpriced`).
 */
export type TxPoolEvent =
  | { readonly kind: "added" | "promoted" | "demoted" | "included"; readonly tx: PoolTx }
  | { readonly kind: "replaced"; readonly tx: PoolTx; readonly by: PoolTx }
  | { readonly kind: "dropped" | "evicted"; readonly tx: PoolTx; readonly reason: DropReason };

export interface SelectOptions {
  /** at most this many transactions */
  readonly maxCount: number;
  /** at most this many bytes of raw transactions */
  readonly maxBytes: number;
  /** the sum of gas limits at most this */
  readonly maxGas: bigint;
  /** clock ms; what is selected is marked proposed at it */
  readonly now: number;
  /**
   * For a remote transaction past its delay: whether this node should propose it now (the wiring answers
   * false while the validator it came from is still proposing). Absent: the delay alone decides.
   */
  readonly remoteEligible?: (tx: PoolTx) => boolean;
}

/** One sender's transactions by nonce. */
export interface AccountContent {
  readonly pending: Map<bigint, PoolTx>;
  readonly queued: Map<bigint, PoolTx>;
}

/** Counters for metrics (monotonic since the pool was made, except the sizes). */
export interface TxPoolStats {
  readonly pending: number;
  readonly queued: number;
  readonly slots: number;
  readonly accounts: number;
  readonly added: number;
  readonly replaced: number;
  readonly included: number;
  readonly evicted: number;
  /** drops by reason */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** refusals by error code */
  readonly refused: Readonly<Record<string, number>>;
}
