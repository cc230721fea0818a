/**
 * Messages of the transaction pool that cross the network or a process boundary:
 * - the gossip batch (gossipsub topic `/fastevm/txs/1`): raw EIP-2718 transactions a node admitted and
 *   relays to the validators, encoded as one RLP list of byte strings (`node/network/txGossip.ts`); the
 *   receiver decodes and recovers each one off the main thread and admits it as a remote transaction;
 * - the Engine API extension a consensus client in another process calls for a DAG block's transactions
 *   (`fastevm_txpoolSelectV1`, JWT-protected): the caps as quantities in, raw 0x-hex transactions out.
 */
export interface TxBatch {
  readonly txs: readonly Uint8Array[];
}

/** What one batch's validation tells gossipsub (and the sender's score): see `TxGossip`. */
export type TxBatchVerdict = "accept" | "ignore" | "reject";

export const TXPOOL_SELECT_METHOD = "fastevm_txpoolSelectV1";

/** `fastevm_txpoolSelectV1`'s one parameter. */
export interface TxPoolSelectParams {
  readonly maxCount: string;
  readonly maxBytes: string;
  readonly maxGas: string;
}

/** Its answer: raw transactions, 0x-hex, each sender's in nonce order. */
export type TxPoolSelectResult = readonly string[];
