/**
 * The execute pool: whole blocks run on worker threads that load the WASM EVM once and read LMDB read-only
 * (ARCHITECTURE §4). One block at a time per worker; the main thread applies the returned write-set.
 */
import type { ExecuteResult, ExecuteTask } from "../core/wire/execute.ts";
import { WorkerPool } from "./workerPool.ts";

export interface ExecutePoolOptions {
  /** default 1: blocks run one after another in this issue (the pipeline adds parallelism) */
  readonly threads?: number;
  readonly maxQueue?: number;
}

export class ExecutePool {
  readonly #pool: WorkerPool<ExecuteTask, ExecuteResult>;

  constructor(opts: ExecutePoolOptions = {}) {
    this.#pool = new WorkerPool<ExecuteTask, ExecuteResult>({
      name: "execute",
      worker: new URL("../../workers/execute/execute.worker.ts", import.meta.url),
      threads: opts.threads ?? 1,
      maxQueue: opts.maxQueue ?? 64,
    });
  }

  execute(task: ExecuteTask): Promise<ExecuteResult> {
    return this.#pool.run(task);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
