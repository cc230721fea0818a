/**
 * The one seam between the transaction pool and whoever fills a block with its transactions: a consensus
 * proposal (`Core` asks for each DAG block it signs) and the Engine API payload builder (`noTxPool: false`).
 * Both used to have their own interface (`TransactionSource.pull`, `TxSource.pending`).
 */

/** Caps of one selection: what a DAG block (or a block) may carry. */
export interface SelectionLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
  /** the sum of the selected transactions' gas limits stays at or below this */
  readonly maxGas: bigint;
}

export interface TxSource {
  /**
   * The best executable transactions within `limits`: each sender's in nonce order, the best effective tip
   * first across senders; raw EIP-2718 bytes. What is returned counts as proposed (in flight) until its
   * block is known, so the next call does not return it again.
   */
  select(limits: SelectionLimits): Uint8Array[];
}

/** A source with nothing in it (observers, tests, nodes without a pool). */
export const EMPTY_TX_SOURCE: TxSource = { select: () => [] };
