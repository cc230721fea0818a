/**
 * The payload pool: engine_newPayload's stateless checks (transaction decoding, the transactions-root and
 * block-hash computation) on a worker thread, so a 1,000-transaction payload costs the main thread only its
 * JSON parse. One thread by default: the work is small and arrives one payload at a time. On demand: a
 * validator whose every newPayload is a block it served itself (the devnet) never starts the worker.
 */
import type { PayloadCheckResult, PayloadCheckTask } from "../core/wire/payload.ts";
import type { PoolMetrics } from "../metrics/metrics.ts";
import { WorkerPool } from "./workerPool.ts";

export class PayloadPool {
  readonly #pool: WorkerPool<PayloadCheckTask, PayloadCheckResult>;

  constructor(opts: { threads?: number; maxQueue?: number; metrics?: PoolMetrics } = {}) {
    this.#pool = new WorkerPool<PayloadCheckTask, PayloadCheckResult>({
      name: "payload",
      worker: new URL("../../workers/payload/payload.worker.ts", import.meta.url),
      threads: opts.threads ?? 1,
      maxQueue: opts.maxQueue ?? 64,
      onDemand: true,
      ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    });
  }

  check(task: PayloadCheckTask): Promise<PayloadCheckResult> {
    return this.#pool.run(task);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
