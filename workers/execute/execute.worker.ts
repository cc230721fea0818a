/**
 * Piscina entry of the execute pool: an ExecuteTask in its wire form (a block, node/core/wire/execute.ts:
 * raw transactions and packed senders, decoded here) or an RPC task
 * (state reads, proofs, calls: node/core/wire/rpcExec.ts, told apart by its `rpc` field). The result
 * carries the worker's start and end time (`WorkerTiming`) for the pool's metrics.
 */
import { type ExecuteResult, type ExecuteTaskWire, fromWireTask } from "../../node/core/wire/execute.ts";
import type { RpcExecResult, RpcExecTask } from "../../node/core/wire/rpcExec.ts";
import { type WorkerTiming, workerNowMs } from "../../node/core/wire/timing.ts";
import { runRpcTask } from "./rpcTask.ts";
import { runExecuteTask } from "./runTask.ts";

export default async function execute(
  task: ExecuteTaskWire | RpcExecTask,
): Promise<(ExecuteResult | RpcExecResult) & WorkerTiming> {
  const workerStartMs = workerNowMs();
  const r = await ("rpc" in task ? runRpcTask(task) : runExecuteTask(fromWireTask(task)));
  return { ...r, workerStartMs, workerEndMs: workerNowMs() };
}
