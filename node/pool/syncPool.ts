/**
 * The sync pool: block sync's body checks (decode, transactions / ommers / withdrawals roots against the
 * headers) on a worker thread, so a full node catching up hashes no trie on the main thread. One thread by
 * default, a bounded queue (POOL_FULL beyond it: the sync manager has at most a few requests in flight).
 */
import type { BodyCheckResult, BodyCheckTask } from "../core/wire/sync.ts";
import type { PoolMetrics } from "../metrics/metrics.ts";
import { WorkerPool } from "./workerPool.ts";

export class SyncPool {
  readonly #pool: WorkerPool<BodyCheckTask, BodyCheckResult>;

  constructor(opts: { threads?: number; maxQueue?: number; metrics?: PoolMetrics } = {}) {
    this.#pool = new WorkerPool<BodyCheckTask, BodyCheckResult>({
      name: "sync",
      worker: new URL("../../workers/sync/sync.worker.ts", import.meta.url),
      threads: opts.threads ?? 1,
      maxQueue: opts.maxQueue ?? 64,
      ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    });
  }

  checkBodies(task: BodyCheckTask): Promise<BodyCheckResult> {
    return this.#pool.run(task);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
