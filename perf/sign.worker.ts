/** Piscina entry of `pnpm perf`'s signing pool: one SignTask in, one SignResult out (node/core/wire/sign.ts). */
import { keccak256 } from "../node/core/hash.ts";
import { encodeTransaction } from "../node/core/tx/encode.ts";
import { signTransaction } from "../node/core/tx/sign.ts";
import type { SignResult, SignTask } from "../node/core/wire/sign.ts";

export default function sign(task: SignTask): SignResult {
  const raw = task.txs.map((t) => encodeTransaction(signTransaction(t, task.privateKey)));
  return { raw, hashes: raw.map((r) => keccak256(r)) };
}
