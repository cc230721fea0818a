/**
 * The recover pool: batch decoding + sender recovery off the main thread. Large inputs are split into
 * chunks so every worker gets work and one slow batch cannot hold the others back.
 */
import type { RecoverItem, RecoverResult, RecoverTask } from "../core/wire/recover.ts";
import type { PoolMetrics } from "../metrics/metrics.ts";
import { WorkerPool } from "./workerPool.ts";

/**
 * Transactions per task. At ~19,000 recoveries/s per core a chunk is ~7 ms of work: long enough that the
 * ~0.1 ms of message passing is noise, short enough that a 10,000-transaction block spreads over all workers.
 */
export const RECOVER_CHUNK = 128;

export interface RecoverPoolOptions {
  readonly threads?: number;
  readonly maxQueue?: number;
  readonly metrics?: PoolMetrics;
}

export class RecoverPool {
  readonly #pool: WorkerPool<RecoverTask, RecoverResult>;

  constructor(opts: RecoverPoolOptions = {}) {
    this.#pool = new WorkerPool<RecoverTask, RecoverResult>({
      name: "recover",
      worker: new URL("../../workers/recover/recover.worker.ts", import.meta.url),
      ...(opts.threads === undefined ? {} : { threads: opts.threads }),
      ...(opts.maxQueue === undefined ? {} : { maxQueue: opts.maxQueue }),
      ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    });
  }

  /** Decodes and recovers every transaction; results keep the input order. */
  async recover(txs: readonly Uint8Array[], chainId: bigint | null): Promise<RecoverItem[]> {
    const tasks: Promise<RecoverResult>[] = [];
    for (let i = 0; i < txs.length; i += RECOVER_CHUNK) {
      tasks.push(this.#pool.run({ txs: txs.slice(i, i + RECOVER_CHUNK), chainId }));
    }
    const results = await Promise.all(tasks);
    return results.flatMap((r) => r.items);
  }

  get threads(): number {
    return this.#pool.threads;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
