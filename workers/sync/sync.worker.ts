/** Piscina entry of the sync pool: one BodyCheckTask in, one BodyCheckResult out (node/core/wire/sync.ts). */
import type { BodyCheckResult, BodyCheckTask } from "../../node/core/wire/sync.ts";
import { type WorkerTiming, workerNowMs } from "../../node/core/wire/timing.ts";
import { checkBodies } from "./checkBodies.ts";

export default function check(task: BodyCheckTask): BodyCheckResult & WorkerTiming {
  const workerStartMs = workerNowMs();
  const items = checkBodies(task);
  return { items, workerStartMs, workerEndMs: workerNowMs() };
}
