/** Piscina entry of the payload pool: one PayloadCheckTask in, one PayloadCheckResult out (node/core/wire/payload.ts). */
import type { PayloadCheckResult, PayloadCheckTask } from "../../node/core/wire/payload.ts";
import { checkPayload } from "./checkPayload.ts";

export default function check(task: PayloadCheckTask): PayloadCheckResult {
  return checkPayload(task);
}
