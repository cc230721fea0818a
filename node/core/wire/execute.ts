/**
 * Messages of the execute pool (ARCHITECTURE §4): the main thread sends one block with its recovered
 * transactions and the state overlay that turns the committed (head) state into the block's parent state;
 * a worker runs it on the WASM EVM against LMDB (read-only) plus that overlay, updates the state trie from
 * the parent's root, and returns receipts, the block's write-set and the new trie nodes. The main thread
 * only compares and writes.
 */

import type { BlockHeader } from "../block/header.ts";
import type { Receipt } from "../block/receipt.ts";
import type { Withdrawal } from "../block/withdrawal.ts";
import { ErrorCode, type ErrorObject, FastEvmError } from "../errors.ts";
import { decodeTransaction } from "../tx/decode.ts";
import type { Transaction } from "../tx/types.ts";

/** A transaction after decoding, the stateless checks and sender recovery (recover pool). */
export interface ExecTx {
  readonly tx: Transaction;
  readonly sender: Uint8Array;
  /** `RecoveredTx.intrinsicGas`: the transaction passed `validateTransaction`, which computed it */
  readonly intrinsicGas: number;
}

/**
 * Values that differ between the committed flat state and the parent state (a side branch, or blocks the
 * chain accepted and has not persisted yet): account RLP or null (absent), storage slot (address ‖ slot,
 * 52 bytes) → value. Empty when the parent is the head.
 * Over unpersisted blocks (built from their write-sets) it also carries what LMDB does not hold yet: the
 * accounts whose storage those blocks cleared (`wiped`: their flat slots are not read, only `storage`'s), the
 * code they deployed and their new trie nodes. Such an overlay holds the blocks' final values, so it gives
 * the same state whether or not the background writer has persisted some of them meanwhile.
 */
export interface StateOverlay {
  readonly accounts: readonly (readonly [Uint8Array, Uint8Array | null])[];
  readonly storage: readonly (readonly [Uint8Array, bigint])[];
  /** addresses (20 bytes) whose flat storage is not part of the parent state */
  readonly wiped?: readonly Uint8Array[];
  /** code hash → code */
  readonly code?: readonly (readonly [Uint8Array, Uint8Array])[];
  /** trie node hash → RLP node */
  readonly trieNodes?: readonly (readonly [Uint8Array, Uint8Array])[];
}

export interface ExecuteTask {
  /** the datadir whose LMDB environment the worker reads (opened read-only, cached per worker) */
  readonly datadir: string;
  readonly chainId: bigint;
  readonly header: BlockHeader;
  readonly parentStateRoot: Uint8Array;
  readonly txs: readonly ExecTx[];
  /** EIP-2718 encodings, for the transactions root */
  readonly rawTxs: readonly Uint8Array[];
  readonly ommerCount: number;
  readonly withdrawals?: readonly Withdrawal[];
  readonly overlay: StateOverlay;
  /** block number → hash of ancestors off the canonical chain (BLOCKHASH); the rest come from `canonical` */
  readonly ancestorHashes: readonly (readonly [bigint, Uint8Array])[];
  /**
   * "verify": check every root against the header; an invalid transaction rejects the block.
   * "build" (block builder): a transaction that fails a stateful or block check (TX_* from the state
   * transition, before anything of it is applied; block gas or blob gas left) is skipped and reported in
   * `ExecutedBlock.skipped`, and execution goes on with the next; the roots are computed over the executed
   * transactions only. The header's execution fields are not read.
   */
  readonly mode: "verify" | "build";
}

/**
 * An ExecuteTask as it crosses to the worker: its transactions as the raw encodings the task carries anyway
 * (`rawTxs`), the senders packed 20 bytes each and the intrinsic gas in one array, instead of the decoded
 * objects. Cloning a decoded transaction (bigints, byte arrays, access lists) costs about 5 µs on the main
 * thread and 3 µs in the worker; the worker decodes the raw one again in about 1.5 µs.
 */
export interface ExecuteTaskWire extends Omit<ExecuteTask, "txs"> {
  /** 20 bytes per transaction, in `rawTxs` order */
  readonly senders: Uint8Array;
  readonly intrinsicGas: Float64Array;
}

/** The task's wire form (the execute pool, before posting it). */
export function toWireTask(task: ExecuteTask): ExecuteTaskWire {
  const { txs, ...rest } = task;
  if (txs.length !== task.rawTxs.length)
    throw new FastEvmError(
      ErrorCode.INTERNAL,
      `execute task: ${txs.length} transactions but ${task.rawTxs.length} encodings`,
    );
  const senders = new Uint8Array(20 * txs.length);
  const intrinsicGas = new Float64Array(txs.length);
  txs.forEach((t, i) => {
    senders.set(t.sender, 20 * i);
    intrinsicGas[i] = t.intrinsicGas;
  });
  return { ...rest, senders, intrinsicGas };
}

/** The task back from its wire form (the worker): each raw transaction decoded again. */
export function fromWireTask(wire: ExecuteTaskWire): ExecuteTask {
  const { senders, intrinsicGas, ...rest } = wire;
  const txs = wire.rawTxs.map((raw, i) => ({
    tx: decodeTransaction(raw),
    sender: senders.subarray(20 * i, 20 * i + 20),
    intrinsicGas: intrinsicGas[i]!,
  }));
  return { ...rest, txs };
}

/** A transaction build mode left out of the block. */
export interface SkippedExecTx {
  /** index into the task's `txs` */
  readonly index: number;
  /** the TX_* rule it failed */
  readonly code: string;
  readonly message: string;
}

/** One account's final state after the block. */
export interface AccountWrite {
  readonly address: Uint8Array;
  /** removed (EIP-6780 selfdestruct, EIP-161 empty) */
  readonly deleted: boolean;
  /** its storage was cleared during the block (deleted or re-created) before `slots` were written */
  readonly wiped: boolean;
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Uint8Array;
  readonly storageRoot: Uint8Array;
  /** code first set in this block */
  readonly code: Uint8Array | null;
  readonly slots: readonly { readonly key: Uint8Array; readonly value: bigint }[];
}

export interface ExecutedBlock {
  readonly ok: true;
  /** build mode: the transactions not executed, in order (always empty in verify mode) */
  readonly skipped: readonly SkippedExecTx[];
  /** one per executed transaction */
  readonly receipts: readonly Receipt[];
  readonly gasUsed: bigint;
  readonly blobGasUsed: bigint;
  readonly logsBloom: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  /** `receipts` as the receipts table stores them (encodeBlockReceipts), encoded once in the worker */
  readonly receiptsRlp: Uint8Array;
  readonly transactionsRoot: Uint8Array;
  readonly withdrawalsRoot: Uint8Array | null;
  readonly stateRoot: Uint8Array;
  readonly writes: readonly AccountWrite[];
  /** new trie nodes: (keccak hash, RLP node) */
  readonly trieNodes: readonly (readonly [Uint8Array, Uint8Array])[];
  /** worker wall time (ms) of execution and of the trie update */
  readonly execMs: number;
  readonly trieMs: number;
}

export interface RejectedBlock {
  readonly ok: false;
  readonly error: ErrorObject;
}

export type ExecuteResult = ExecutedBlock | RejectedBlock;
