/**
 * Piscina entry of the execute pool: an ExecuteTask (a block, node/core/wire/execute.ts) or an RPC task
 * (state reads, proofs, calls: node/core/wire/rpcExec.ts, told apart by its `rpc` field).
 */
import type { ExecuteResult, ExecuteTask } from "../../node/core/wire/execute.ts";
import type { RpcExecResult, RpcExecTask } from "../../node/core/wire/rpcExec.ts";
import { runRpcTask } from "./rpcTask.ts";
import { runExecuteTask } from "./runTask.ts";

export default async function execute(
  task: ExecuteTask | RpcExecTask,
): Promise<ExecuteResult | RpcExecResult> {
  return "rpc" in task ? runRpcTask(task) : runExecuteTask(task);
}
