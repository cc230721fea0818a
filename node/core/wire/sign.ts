/**
 * Messages of the signing pool of `pnpm perf` (perf/sign.worker.ts): a batch of unsigned transactions of one
 * sender goes to a worker, which signs each (node/core/tx/sign.ts) and returns the raw EIP-2718 bytes and
 * the transaction hash, in input order.
 */
import type { UnsignedTransaction } from "../tx/sign.ts";

export interface SignTask {
  /** the 32-byte private key every transaction of the batch is signed with */
  readonly privateKey: Uint8Array;
  readonly txs: readonly UnsignedTransaction[];
}

export interface SignResult {
  readonly raw: readonly Uint8Array[];
  readonly hashes: readonly Uint8Array[];
}
