/** Test worker: echoes its task after an optional delay, proving the pool runs TypeScript workers. */
import { keccak256 } from "../../../node/core/hash.ts";

export default async function echo(task: {
  bytes: Uint8Array;
  delayMs?: number;
}): Promise<{ hash: Uint8Array; len: number }> {
  if (task.delayMs !== undefined) await new Promise((r) => setTimeout(r, task.delayMs));
  return { hash: keccak256(task.bytes), len: task.bytes.length };
}
