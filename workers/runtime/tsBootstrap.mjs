// Worker-thread bootstrap for TypeScript worker modules. Node 20 does not carry the main thread's loader
// hooks into worker threads reliably, so each worker registers tsx itself and loads the real worker module
// (workerData.entry) on its first task. No top-level await here: piscina may load this file with require().
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const loading = import(workerData.entry).then((mod) => mod.default);

export default async function runTask(task) {
  const handler = await loading;
  return handler(task);
}
