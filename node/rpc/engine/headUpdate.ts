/**
 * Moves the canonical head to any stored block (forkchoiceUpdated), with safe and finalized, in ONE LMDB
 * transaction: the flat state is rewound with the stored state diffs to the common ancestor and the target
 * branch re-applied, the canonical and tx indexes follow, then the head/safe/finalized meta keys.
 *
 * ADAPTER: `Chain` today makes every imported block the head and has no `setHead`; this mirrors its commit
 * path (same tables, same diff functions) until the chain offers `setHead(hash, safe, finalized)`.
 */

import type { Chain } from "../../chain/chain.ts";
import { applyStateDiff, type StateDiff } from "../../chain/stateDiff.ts";
import type { BlockHeader } from "../../core/block/header.ts";
import { equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { keccak256 } from "../../core/hash.ts";
import { bytesToHex } from "../../core/hex.ts";
import { encodeTxLocation, metaKey, u64Key } from "../../storage/keys.ts";
import { META_KEYS } from "../../storage/tables.ts";

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

function diffOf(chain: Chain, hash: Uint8Array): StateDiff {
  const d = chain.store.stateDiff(hash);
  if (d === undefined)
    throw new FastEvmError(ErrorCode.STORAGE, `block ${bytesToHex(hash)} has no state diff`);
  return d;
}

/** Applies a path computed by `pathToBlock` and writes head, safe and finalized (zero hash = unset). */
export function applyHead(
  chain: Chain,
  path: HeadPath,
  head: Uint8Array,
  safe: Uint8Array | null,
  finalized: Uint8Array | null,
): void {
  const storage = chain.storage;
  const t = storage.tables;
  const store = chain.store;
  const rewind = path.rewind.map((s) => ({ ...s, diff: diffOf(chain, s.hash) }));
  const reapply = path.reapply.map((s) => ({ ...s, diff: diffOf(chain, s.hash) }));
  storage.env.transactionSync(() => {
    for (const b of rewind) {
      applyStateDiff(storage, b.diff, "backward");
      t.canonical.removeSync(u64Key(b.header.number));
      for (const raw of store.body(b.hash)?.transactions ?? []) t.txIndex.removeSync(keccak256(raw));
    }
    for (const b of reapply) {
      applyStateDiff(storage, b.diff, "forward");
      t.canonical.putSync(u64Key(b.header.number), b.hash);
      (store.body(b.hash)?.transactions ?? []).forEach((raw, index) => {
        t.txIndex.putSync(keccak256(raw), encodeTxLocation({ blockHash: b.hash, index }));
      });
    }
    t.meta.putSync(metaKey(META_KEYS.headHash), head);
    if (safe !== null) t.meta.putSync(metaKey(META_KEYS.safeHash), safe);
    if (finalized !== null) t.meta.putSync(metaKey(META_KEYS.finalizedHash), finalized);
  });
}
