/** The start-up data a pool handed to this worker (see node/pool/workerPool.ts: wrapped by the TS bootstrap). */
import { workerData } from "node:worker_threads";

export function getWorkerData<T>(): T {
  const wd = workerData as { entry?: string; data?: T } | undefined;
  return (wd !== null && typeof wd === "object" && "entry" in wd ? wd.data : wd) as T;
}
