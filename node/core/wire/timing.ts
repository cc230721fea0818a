/**
 * Worker-side timestamps (performance.timeOrigin + now, ms, comparable across threads) a worker adds to its
 * result: the pool turns them into job time and latency to and from the worker (node/pool/workerPool.ts).
 */
export interface WorkerTiming {
  readonly workerStartMs: number;
  readonly workerEndMs: number;
}

/** The worker's clock, in the unit `WorkerTiming` uses. */
export function workerNowMs(): number {
  return performance.timeOrigin + performance.now();
}
