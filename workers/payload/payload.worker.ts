/**
 * Piscina entry of the payload pool: one PayloadCheckTask in, one PayloadCheckResult out (node/core/wire/payload.ts),
 * with the worker's start and end time (`WorkerTiming`) for the pool's metrics.
 */
import type { PayloadCheckResult, PayloadCheckTask } from "../../node/core/wire/payload.ts";
import { type WorkerTiming, workerNowMs } from "../../node/core/wire/timing.ts";
import { checkPayload } from "./checkPayload.ts";

export default function check(task: PayloadCheckTask): PayloadCheckResult & WorkerTiming {
  const workerStartMs = workerNowMs();
  const r = checkPayload(task);
  return { ...r, workerStartMs, workerEndMs: workerNowMs() };
}
