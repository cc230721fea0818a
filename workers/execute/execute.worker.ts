/** Piscina entry of the execute pool: one ExecuteTask in, one ExecuteResult out (node/core/wire/execute.ts). */
import type { ExecuteResult, ExecuteTask } from "../../node/core/wire/execute.ts";
import { runExecuteTask } from "./runTask.ts";

export default function execute(task: ExecuteTask): Promise<ExecuteResult> {
  return runExecuteTask(task);
}
