/**
 * Commit records and the sub-DAG handed to execution. Commits form a hash chain: each names the digest of
 * the previous one (32 zero bytes before the first), so a range of commits is verified from its last
 * digest alone. Encoding: RLP [index, previousDigest, timestampMs, [round, author, digest], [[r, a, d]…]].
 */
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { decodeRlp, encodeRlp, rlpFixedBytes, rlpList, rlpNumber } from "../../core/rlp.ts";
import type { BlockRef, Commit, CommitRef } from "../../core/wire/consensus.ts";
import { blake2b256, DIGEST_LENGTH, type VerifiedBlock } from "./block.ts";

export const ZERO_DIGEST = new Uint8Array(DIGEST_LENGTH);

const refFields = (r: BlockRef) => [r.round, r.author, r.digest];

export function encodeCommit(c: Commit): Uint8Array {
  return encodeRlp([c.index, c.previousDigest, c.timestampMs, refFields(c.leader), c.blocks.map(refFields)]);
}

export function commitDigest(c: Commit): Uint8Array {
  return blake2b256(encodeCommit(c));
}

function decodeRef(item: unknown, what: string): BlockRef {
  const l = rlpList(item as never, what);
  if (l.length !== 3) throw new FastEvmError(ErrorCode.CONSENSUS_STORE, `${what} must have 3 fields`);
  return {
    round: rlpNumber(l[0], `${what}.round`),
    author: rlpNumber(l[1], `${what}.author`),
    digest: rlpFixedBytes(l[2], DIGEST_LENGTH, `${what}.digest`),
  };
}

export function decodeCommit(bytes: Uint8Array): Commit {
  const l = rlpList(decodeRlp(bytes), "commit");
  if (l.length !== 5) throw new FastEvmError(ErrorCode.CONSENSUS_STORE, "commit must have 5 fields");
  return {
    index: rlpNumber(l[0], "index"),
    previousDigest: rlpFixedBytes(l[1], DIGEST_LENGTH, "previousDigest"),
    timestampMs: rlpNumber(l[2], "timestampMs"),
    leader: decodeRef(l[3], "leader"),
    blocks: rlpList(l[4], "blocks").map((b, i) => decodeRef(b, `blocks[${i}]`)),
  };
}

/** What consensus hands to execution, one per commit, strictly in index order. */
export interface CommittedSubDag {
  readonly commit: Commit;
  readonly commitRef: CommitRef;
  readonly leader: BlockRef;
  /** blocks in linearized order: (round, author) ascending */
  readonly blocks: readonly VerifiedBlock[];
  readonly timestampMs: number;
}

/** The transactions of a sub-DAG in linearized order (duplicates kept: execution de-duplicates by hash). */
export function subDagTransactions(subDag: CommittedSubDag): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of subDag.blocks) for (const tx of b.block.transactions) out.push(tx);
  return out;
}
