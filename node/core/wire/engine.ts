/**
 * The Engine API as typed values: what the consensus driver and the execution node exchange, in process
 * (direct calls) or over HTTP + JWT (the JSON Engine API, whose methods parse into and format from these).
 */
import type { Withdrawal } from "../block/withdrawal.ts";

/** Validated payload attributes, including the FastEVM forced-transaction extension (OP Stack names). */
export interface PayloadAttributes {
  readonly version: 1 | 2 | 3;
  readonly timestamp: bigint;
  readonly prevRandao: Uint8Array;
  readonly suggestedFeeRecipient: Uint8Array;
  readonly withdrawals?: readonly Withdrawal[];
  readonly parentBeaconBlockRoot?: Uint8Array;
  /** raw EIP-2718 transactions to build from, in order (`noTxPool: true` = nothing else) */
  readonly transactions?: readonly Uint8Array[];
  readonly noTxPool: boolean;
  readonly gasLimit?: bigint;
  /** the header's extraData (≤ 32 bytes; FastEVM consensus stamps the commit index in it) */
  readonly extraData?: Uint8Array;
}
