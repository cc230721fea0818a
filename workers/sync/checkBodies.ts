/**
 * The sync worker's one job: decode each body a peer sent and check it against the header it was asked for
 * — transactions root, ommers hash, withdrawals root (present exactly when the header has one). Pure; a
 * failure is a per-body verdict (the peer's fault), never an exception.
 */
import { decodeBody, ommersHash, transactionsRoot } from "../../node/core/block/block.ts";
import { withdrawalsRoot } from "../../node/core/block/withdrawal.ts";
import { equalBytes } from "../../node/core/bytes.ts";
import { ErrorCode, isFastEvmError } from "../../node/core/errors.ts";
import type { BodyCheckItem, BodyCheckTask, BodyExpectation } from "../../node/core/wire/sync.ts";

function bad(message: string): BodyCheckItem {
  return { ok: false, code: ErrorCode.SYNC_BAD_BODY, message };
}

export function checkBody(raw: Uint8Array, want: BodyExpectation): BodyCheckItem {
  let body: ReturnType<typeof decodeBody>;
  try {
    body = decodeBody(raw);
  } catch (e) {
    return { ok: false, code: isFastEvmError(e) ? e.code : ErrorCode.BLOCK_DECODE, message: String(e) };
  }
  if (!equalBytes(transactionsRoot(body.transactions), want.transactionsRoot))
    return bad("transactions do not match the header's transactionsRoot");
  if (!equalBytes(ommersHash(body.ommers), want.ommersHash))
    return bad("ommers do not match the header's ommersHash");
  if ((body.withdrawals === undefined) !== (want.withdrawalsRoot === undefined))
    return bad("withdrawals list present iff the header has withdrawalsRoot");
  if (body.withdrawals !== undefined && want.withdrawalsRoot !== undefined) {
    if (!equalBytes(withdrawalsRoot(body.withdrawals), want.withdrawalsRoot))
      return bad("withdrawals do not match the header's withdrawalsRoot");
    return { ok: true, transactions: body.transactions, ommers: body.ommers, withdrawals: body.withdrawals };
  }
  return { ok: true, transactions: body.transactions, ommers: body.ommers };
}

export function checkBodies(task: BodyCheckTask): BodyCheckItem[] {
  return task.bodies.map((b, i) => {
    const want = task.expected[i];
    return want === undefined ? bad(`body ${i} was not asked for`) : checkBody(b, want);
  });
}
