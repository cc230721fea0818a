/** Piscina entry of the recover pool: one RecoverTask in, one RecoverResult out (see node/core/wire/recover.ts). */
import { performance } from "node:perf_hooks";
import type { RecoverResult, RecoverTask } from "../../node/core/wire/recover.ts";
import { recoverBatch } from "./recoverBatch.ts";

export default function recover(task: RecoverTask): RecoverResult {
  const workerStartMs = performance.timeOrigin + performance.now();
  const items = recoverBatch(task);
  return { items, workerStartMs, workerEndMs: performance.timeOrigin + performance.now() };
}
