/**
 * A typed, bounded piscina pool. Every pool in the node (recover, execute, state root) is one of these:
 * the task and result types come from `node/core/wire/`, the queue is bounded and rejects new work when full
 * (drop-newest: the caller decides whether to retry), and workers written in TypeScript are started with the
 * tsx loader so the same file runs under `pnpm fastevm` and in tests.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import type { WorkerTiming } from "../core/wire/timing.ts";
import { type PoolMetrics, seconds } from "../metrics/metrics.ts";

export interface WorkerPoolOptions {
  /** human-readable pool name for errors and metrics */
  readonly name: string;
  /** the worker module, resolved against the caller: `new URL("../../workers/x/x.worker.ts", import.meta.url)` */
  readonly worker: URL;
  /** default: cores − 1 (one core stays with the main thread), at least 1 */
  readonly threads?: number;
  /** tasks that may wait for a worker; beyond it `run` rejects with POOL_FULL. Default 1024. */
  readonly maxQueue?: number;
  /** data handed to every worker at start-up (e.g. the datadir path) */
  readonly workerData?: unknown;
  /** the process's pool metrics (labelled with `name`); absent: nothing is measured */
  readonly metrics?: PoolMetrics;
  /**
   * Start no worker until the first task, and let an idle one exit after IDLE_TIMEOUT_MS, for a pool a
   * node may never use (a worker thread holds 35-40 MB); default false: every thread starts at once.
   */
  readonly onDemand?: boolean;
}

/** How long an idle worker beyond the pool's minimum stays (all of an on-demand pool's). */
export const IDLE_TIMEOUT_MS = 60_000;

export function defaultPoolThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Worker files in TypeScript start through a bootstrap that registers tsx inside the worker thread (Node 20
 * does not pass loader hooks on to workers); `workers/runtime/workerData.ts` unwraps the start-up data.
 */
const TS_BOOTSTRAP = new URL("../../workers/runtime/tsBootstrap.mjs", import.meta.url);

function entryFor(worker: URL, data: unknown): { filename: string; workerData: unknown; execArgv: string[] } {
  // The bootstrap registers its own tsx loader: drop one inherited from the main thread's flags.
  const execArgv: string[] = [];
  const inherited = process.execArgv;
  for (let i = 0; i < inherited.length; i++) {
    const a = inherited[i]!;
    if ((a === "--import" || a === "--require" || a === "--loader") && inherited[i + 1]?.startsWith("tsx"))
      i++;
    else if (!/^--(import|require|loader)=tsx/.test(a) && !a.startsWith("--inspect")) execArgv.push(a);
  }
  // piscina wants a file path, not a URL
  if (!worker.pathname.endsWith(".ts"))
    return { filename: fileURLToPath(worker), workerData: data, execArgv };
  return { filename: fileURLToPath(TS_BOOTSTRAP), workerData: { entry: worker.href, data }, execArgv };
}

export class WorkerPool<Task, Result> {
  readonly name: string;
  readonly #pool: Piscina<Task, Result>;
  readonly #maxQueue: number;
  readonly #metrics: PoolMetrics | undefined;
  /** tasks handed to piscina and not settled yet (queued + running) */
  #inFlight = 0;
  #closed = false;

  constructor(opts: WorkerPoolOptions) {
    const threads = opts.threads ?? defaultPoolThreads();
    this.name = opts.name;
    this.#maxQueue = opts.maxQueue ?? 1024;
    const entry = entryFor(opts.worker, opts.workerData);
    this.#pool = new Piscina<Task, Result>({
      filename: entry.filename,
      minThreads: opts.onDemand === true ? 0 : threads,
      maxThreads: threads,
      maxQueue: this.#maxQueue,
      idleTimeout: IDLE_TIMEOUT_MS,
      workerData: entry.workerData,
      execArgv: entry.execArgv,
    });
    const m = opts.metrics;
    this.#metrics = m;
    if (m !== undefined) {
      const pool = { pool: this.name };
      m.queueLength.addCollect((g) => g.set(pool, this.#closed ? 0 : this.#pool.queueSize));
      m.workersBusy.addCollect((g) => g.set(pool, this.busy));
      m.threads.addCollect((g) => g.set(pool, this.#closed ? 0 : this.#pool.threads.length));
    }
  }

  /** Workers running a task now: what is in flight and not waiting in the queue. */
  get busy(): number {
    if (this.#closed) return 0;
    return Math.max(0, Math.min(this.#pool.threads.length, this.#inFlight - this.#pool.queueSize));
  }

  /**
   * Runs one task; rejects with POOL_FULL when the queue is at its bound, POOL_CLOSED after close(). When
   * `signal` aborts, a queued task is dropped and a running one's worker is terminated (piscina replaces it);
   * the promise rejects with piscina's AbortError.
   */
  async run(task: Task, transferList?: readonly ArrayBuffer[], signal?: AbortSignal): Promise<Result> {
    if (this.#closed) throw new FastEvmError(ErrorCode.POOL_CLOSED, `${this.name} pool is closed`);
    if (this.#pool.queueSize >= this.#maxQueue) {
      this.#metrics?.dropped.inc({ pool: this.name });
      throw new FastEvmError(
        ErrorCode.POOL_FULL,
        `${this.name} pool queue is full (${this.#maxQueue} tasks)`,
      );
    }
    const submitted = performance.timeOrigin + performance.now();
    this.#inFlight++;
    try {
      const result = await this.#pool.run(task, {
        ...(transferList === undefined ? {} : { transferList: transferList as ArrayBuffer[] }),
        ...(signal === undefined ? {} : { signal }),
      });
      this.#observe(submitted, result, "ok");
      return result;
    } catch (e) {
      this.#observe(submitted, undefined, "error");
      throw e;
    } finally {
      this.#inFlight--;
    }
  }

  /** Round trip; with the worker's own timestamps (`WorkerTiming`), job time and latency both ways. */
  #observe(submittedMs: number, result: unknown, outcome: "ok" | "error"): void {
    const m = this.#metrics;
    if (m === undefined) return;
    const now = performance.timeOrigin + performance.now();
    const pool = { pool: this.name };
    m.tasks.inc({ pool: this.name, outcome });
    m.taskTime.observe(pool, seconds(submittedMs, now));
    const t = result as Partial<WorkerTiming> | undefined;
    if (typeof t?.workerStartMs !== "number" || typeof t.workerEndMs !== "number") return;
    m.latencyToWorker.observe(pool, seconds(submittedMs, t.workerStartMs));
    m.jobTime.observe(pool, seconds(t.workerStartMs, t.workerEndMs));
    m.latencyFromWorker.observe(pool, seconds(t.workerEndMs, now));
  }

  get threads(): number {
    return this.#pool.threads.length;
  }

  get queueSize(): number {
    return this.#pool.queueSize;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }
}
