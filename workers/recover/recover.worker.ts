/** Piscina entry of the recover pool: one RecoverTask in, one RecoverResult out (see node/core/wire/recover.ts). */
import type { RecoverResult, RecoverTask } from "../../node/core/wire/recover.ts";
import { workerNowMs } from "../../node/core/wire/timing.ts";
import { recoverBatch } from "./recoverBatch.ts";

export default function recover(task: RecoverTask): RecoverResult {
  const workerStartMs = workerNowMs();
  const items = recoverBatch(task);
  return { items, workerStartMs, workerEndMs: workerNowMs() };
}
