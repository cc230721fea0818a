/**
 * The one path finder between two stored blocks, and the one reorg-depth default: the blocks to rewind
 * (from `from` back to the common ancestor) and the blocks to re-apply (from the ancestor up to `to`), read
 * from headers only, writing nothing. `Chain` turns a path into state diffs (import, setHead, build);
 * forkchoiceUpdated measures a reorg with it before `Chain.setHead` moves anything, and the payload builder
 * turns it into the state overlay of a parent off the head.
 */
import type { BlockHeader } from "../core/block/header.ts";
import { equalBytes } from "../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";

/**
 * The deepest reorg a node accepts by default, in blocks, for both the chain (import, setHead) and the
 * Engine API (forkchoiceUpdated's -38006; `--engine.maxreorgdepth`). 64, as reth's engine tree keeps: a
 * FastEVM chain is final at each commit, so a deep reorg is a fault to refuse, not a fork to follow.
 */
export const DEFAULT_MAX_REORG_DEPTH = 64;

export interface BlockRef {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
}

export interface BlockPath {
  /** blocks to undo, `from` first */
  readonly rewind: readonly BlockRef[];
  /** blocks to apply, oldest first, ending with `to` */
  readonly reapply: readonly BlockRef[];
}

/** Where the finder reads headers (the chain store, or a map in tests). */
export interface HeaderSource {
  header(hash: Uint8Array): BlockHeader | undefined;
}

export interface BlockPathOptions {
  /** refuse with BLOCK_REORG_TOO_DEEP once more than this many blocks would be rewound (default: no limit) */
  readonly maxRewind?: number;
}

/**
 * The path from `from` to `to` (both lists empty when they are the same block). Throws STORAGE when an
 * ancestor's header is missing, BLOCK_REORG_TOO_DEEP (with `meta.limit`) beyond `maxRewind`; the walk
 * stops there, so a long side branch costs no more than the limit.
 */
export function blockPath(
  headers: HeaderSource,
  from: BlockRef,
  to: BlockRef,
  opts: BlockPathOptions = {},
): BlockPath {
  const rewind: BlockRef[] = [];
  const reapply: BlockRef[] = [];
  if (equalBytes(from.hash, to.hash)) return { rewind, reapply };
  const limit = opts.maxRewind ?? Number.POSITIVE_INFINITY;
  const parentOf = (s: BlockRef): BlockRef => {
    const h = headers.header(s.header.parentHash);
    if (h === undefined)
      throw new FastEvmError(ErrorCode.STORAGE, `missing ancestor ${bytesToHex(s.header.parentHash)}`);
    return { hash: s.header.parentHash, header: h };
  };
  let a = from;
  let b = to;
  while (!equalBytes(a.hash, b.hash)) {
    if (a.header.number >= b.header.number) {
      rewind.push(a);
      if (rewind.length > limit)
        throw new FastEvmError(ErrorCode.BLOCK_REORG_TOO_DEEP, `reorg deeper than ${limit} blocks`, {
          limit,
        });
      a = parentOf(a);
    } else {
      reapply.push(b);
      b = parentOf(b);
    }
  }
  reapply.reverse();
  return { rewind, reapply };
}

/** The path from the store's head to the stored block `target`; NOT_FOUND when its header is unknown. */
export function pathFromHead(
  store: HeaderSource & { head(): BlockRef },
  target: Uint8Array,
  opts: BlockPathOptions = {},
): BlockPath {
  const header = store.header(target);
  if (header === undefined)
    throw new FastEvmError(ErrorCode.NOT_FOUND, `unknown block ${bytesToHex(target)}`);
  return blockPath(store, store.head(), { hash: target, header }, opts);
}
