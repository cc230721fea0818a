/**
 * The execute pool: whole blocks run on worker threads that load the WASM EVM once and read LMDB read-only
 * (ARCHITECTURE §4). One block at a time per worker; the main thread applies the returned write-set.
 * The same workers serve the public JSON-RPC's state and execution tasks (`rpc`): eth_call, estimateGas,
 * createAccessList, proofs and historical reads. A task whose `signal` aborts (the RPC's EVM timeout) is
 * dropped from the queue, or its worker is terminated and replaced when it is already running.
 */
import {
  type ExecuteResult,
  type ExecuteTask,
  type ExecuteTaskWire,
  toWireTask,
} from "../core/wire/execute.ts";
import type { RpcExecResult, RpcExecTask } from "../core/wire/rpcExec.ts";
import type { PoolMetrics } from "../metrics/metrics.ts";
import { WorkerPool } from "./workerPool.ts";

export interface ExecutePoolOptions {
  /** default 1: blocks run one after another in this issue (the pipeline adds parallelism) */
  readonly threads?: number;
  readonly maxQueue?: number;
  /** the pool's name in errors and metrics (default "execute"; the RPC's own pool is "rpc") */
  readonly name?: string;
  readonly metrics?: PoolMetrics;
}

export class ExecutePool {
  readonly #pool: WorkerPool<ExecuteTaskWire | RpcExecTask, ExecuteResult | RpcExecResult>;

  constructor(opts: ExecutePoolOptions = {}) {
    this.#pool = new WorkerPool<ExecuteTaskWire | RpcExecTask, ExecuteResult | RpcExecResult>({
      name: opts.name ?? "execute",
      worker: new URL("../../workers/execute/execute.worker.ts", import.meta.url),
      threads: opts.threads ?? 1,
      maxQueue: opts.maxQueue ?? 64,
      ...(opts.metrics === undefined ? {} : { metrics: opts.metrics }),
    });
  }

  execute(task: ExecuteTask): Promise<ExecuteResult> {
    return this.#pool.run(toWireTask(task)) as Promise<ExecuteResult>;
  }

  rpc(task: RpcExecTask, signal?: AbortSignal): Promise<RpcExecResult> {
    return this.#pool.run(task, undefined, signal) as Promise<RpcExecResult>;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
