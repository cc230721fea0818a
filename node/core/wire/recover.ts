/**
 * Messages of the recover pool (ARCHITECTURE §4): the main thread sends raw EIP-2718 transactions, a worker
 * decodes each one, runs the stateless checks and recovers its sender. One bad transaction never fails the
 * batch: every item gets its own result, in input order.
 */
import type { ErrorObject } from "../errors.ts";
import type { Transaction } from "../tx/types.ts";
import type { WorkerTiming } from "./timing.ts";

export interface RecoverTask {
  /** raw EIP-2718 transactions (typed: type byte + RLP payload; legacy: the RLP list) */
  readonly txs: readonly Uint8Array[];
  /** the chain's id: replay-protected transactions must carry it; null skips the chain-id rule */
  readonly chainId: bigint | null;
}

export interface RecoveredTx {
  readonly ok: true;
  readonly tx: Transaction;
  readonly hash: Uint8Array;
  readonly sender: Uint8Array;
  /** intrinsic gas (EIP-2028 calldata, EIP-2930 access list, EIP-3860 initcode), computed once here */
  readonly intrinsicGas: number;
}

export interface RejectedTx {
  readonly ok: false;
  readonly error: ErrorObject;
}

export type RecoverItem = RecoveredTx | RejectedTx;

export interface RecoverResult extends WorkerTiming {
  readonly items: readonly RecoverItem[];
}
