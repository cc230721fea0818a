/**
 * A bounded FIFO of submitted transactions that proposals pull from (until the execution node's txpool
 * feeds consensus). Bounds: `maxCount` transactions and `maxBytes` bytes; when full, new submissions are
 * refused (drop-newest), so a flood cannot grow memory and the submitter learns to back off.
 */
import type { TransactionSource } from "./mysticeti/core.ts";

export interface TxQueueLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
  readonly maxTxBytes: number;
}

export const DEFAULT_TX_QUEUE_LIMITS: TxQueueLimits = {
  maxCount: 100_000,
  maxBytes: 64 * 1024 * 1024,
  maxTxBytes: 128 * 1024,
};

export type SubmitResult = "queued" | "full" | "too-large" | "empty";

export class TxQueue implements TransactionSource {
  private items: Uint8Array[] = [];
  private head = 0;
  private bytes = 0;
  dropped = 0;

  constructor(private readonly limits: TxQueueLimits = DEFAULT_TX_QUEUE_LIMITS) {}

  get size(): number {
    return this.items.length - this.head;
  }

  submit(tx: Uint8Array): SubmitResult {
    if (tx.length === 0) return "empty";
    if (tx.length > this.limits.maxTxBytes) return "too-large";
    if (this.size >= this.limits.maxCount || this.bytes + tx.length > this.limits.maxBytes) {
      this.dropped++;
      return "full";
    }
    this.items.push(tx);
    this.bytes += tx.length;
    return "queued";
  }

  /** Up to `maxCount` transactions totalling at most `maxBytes`, in submission order. */
  pull(maxCount: number, maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let size = 0;
    while (this.head < this.items.length && out.length < maxCount) {
      const tx = this.items[this.head]!;
      if (size + tx.length > maxBytes) break;
      out.push(tx);
      size += tx.length;
      this.head++;
    }
    this.bytes -= size;
    // compact once the consumed prefix dominates, keeping pull amortized O(1)
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}
