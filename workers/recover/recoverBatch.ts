/** The recover worker's pure core: decode, check and recover a batch, item by item. */
import { isFastEvmError } from "../../node/core/errors.ts";
import {
  decodeTransaction,
  recoverSender,
  transactionHash,
  validateTransaction,
} from "../../node/core/tx/index.ts";
import type { RecoverItem, RecoverTask } from "../../node/core/wire/recover.ts";

export function recoverBatch(task: RecoverTask): RecoverItem[] {
  const items: RecoverItem[] = [];
  for (const raw of task.txs) {
    try {
      const tx = decodeTransaction(raw);
      const intrinsicGas = validateTransaction(tx, { chainId: task.chainId ?? tx.chainId ?? 0n });
      const sender = task.chainId === null ? recoverSender(tx) : recoverSender(tx, { chainId: task.chainId });
      items.push({ ok: true, tx, hash: transactionHash(tx), sender, intrinsicGas });
    } catch (e) {
      if (!isFastEvmError(e)) throw e;
      items.push({ ok: false, error: e.toObject() });
    }
  }
  return items;
}
