/**
 * The path between the head and any stored block — blocks to rewind, blocks to re-apply — read without
 * writing: forkchoiceUpdated measures a reorg's depth with it before `Chain.setHead` moves anything, and
 * the payload builder turns it into the state overlay of a parent off the head.
 */

import type { Chain } from "../../chain/chain.ts";
import type { BlockHeader } from "../../core/block/header.ts";
import { equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";

interface Step {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
}

export interface HeadPath {
  /** blocks to undo, head first */
  readonly rewind: readonly Step[];
  /** blocks to apply, oldest first */
  readonly reapply: readonly Step[];
}

/** The path from the current head to `target` (both lists empty when it is the head). */
export function pathToBlock(chain: Chain, target: Uint8Array): HeadPath {
  const store = chain.store;
  const head = store.head();
  const targetHeader = store.header(target);
  if (targetHeader === undefined)
    throw new FastEvmError(ErrorCode.NOT_FOUND, `unknown block ${bytesToHex(target)}`);
  const parentOf = (s: Step): Step => {
    const h = store.header(s.header.parentHash);
    if (h === undefined)
      throw new FastEvmError(ErrorCode.STORAGE, `missing ancestor ${bytesToHex(s.header.parentHash)}`);
    return { hash: s.header.parentHash, header: h };
  };
  let a: Step = head;
  let b: Step = { hash: target, header: targetHeader };
  const rewind: Step[] = [];
  const reapply: Step[] = [];
  while (!equalBytes(a.hash, b.hash)) {
    if (a.header.number >= b.header.number) {
      rewind.push(a);
      a = parentOf(a);
    } else {
      reapply.push(b);
      b = parentOf(b);
    }
  }
  reapply.reverse();
  return { rewind, reapply };
}
