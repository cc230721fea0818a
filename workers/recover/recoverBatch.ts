/** The recover worker's pure core: decode and check a batch item by item, then recover its senders at once. */
import { FastEvmError, isFastEvmError } from "../../node/core/errors.ts";
import {
  decodeTransaction,
  recoverSenders,
  type Transaction,
  transactionHash,
  validateTransaction,
} from "../../node/core/tx/index.ts";
import type { RecoverItem, RecoverTask } from "../../node/core/wire/recover.ts";

export function recoverBatch(task: RecoverTask): RecoverItem[] {
  const items = new Array<RecoverItem>(task.txs.length);
  const decoded: Transaction[] = [];
  const gas: number[] = [];
  const at: number[] = [];
  task.txs.forEach((raw, i) => {
    try {
      const tx = decodeTransaction(raw);
      gas.push(validateTransaction(tx, { chainId: task.chainId ?? tx.chainId ?? 0n }));
      decoded.push(tx);
      at.push(i);
    } catch (e) {
      if (!isFastEvmError(e)) throw e;
      items[i] = { ok: false, error: e.toObject() };
    }
  });
  // every signature of the batch in one native call
  const senders = recoverSenders(decoded, task.chainId === null ? {} : { chainId: task.chainId });
  senders.forEach((sender, j) => {
    const tx = decoded[j]!;
    items[at[j]!] =
      sender instanceof FastEvmError
        ? { ok: false, error: sender.toObject() }
        : { ok: true, tx, hash: transactionHash(tx), sender, intrinsicGas: gas[j]! };
  });
  return items;
}
