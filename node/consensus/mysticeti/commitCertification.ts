/**
 * Commit certification for a validator that is far behind (the commit syncer's pure half).
 *
 * Every validator votes, in its next block, for each commit it formed. A commit is certified when blocks
 * of quorum stake vote for its (index, digest): at least f+1 honest validators formed it, so it is the
 * commit at that index. Certifying the last commit of a hash-chained range certifies the whole range.
 */
import { equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { AuthorityIndex, Commit, CommitRef } from "../../core/wire/consensus.ts";
import type { VerifiedBlock } from "./block.ts";
import { commitDigest } from "./commit.ts";
import { type Committee, StakeAggregator } from "./committee.ts";

function invalid(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.CONSENSUS_COMMIT_INVALID, msg);
}

/**
 * Tracks the highest commit index each authority has voted for, from accepted blocks, and derives the
 * quorum commit index: the highest index that authorities of quorum stake have reached.
 */
export class CommitVoteTracker {
  private readonly highest: number[];

  constructor(private readonly committee: Committee) {
    this.highest = new Array<number>(committee.size).fill(0);
  }

  observe(block: VerifiedBlock): void {
    for (const v of block.block.commitVotes) {
      if (v.index > (this.highest[block.author] ?? 0)) this.highest[block.author] = v.index;
    }
  }

  quorumCommitIndex(): number {
    const byIndex = this.highest.map((index, a) => ({ index, stake: this.committee.stake(a) }));
    byIndex.sort((x, y) => y.index - x.index);
    let stake = 0;
    for (const e of byIndex) {
      stake += e.stake;
      if (stake >= this.committee.quorumThreshold) return e.index;
    }
    return 0;
  }

  highestVotedBy(author: AuthorityIndex): number {
    return this.highest[author] ?? 0;
  }
}

/** Whether `blocks` (already verified) carry votes of quorum stake for `ref`. */
export function isCertified(ref: CommitRef, blocks: readonly VerifiedBlock[], committee: Committee): boolean {
  const agg = new StakeAggregator(committee);
  for (const b of blocks) {
    if (b.block.commitVotes.some((v) => v.index === ref.index && equalBytes(v.digest, ref.digest))) {
      if (agg.add(b.author)) return true;
    }
  }
  return false;
}

/**
 * Links a fetched range of commits to `after` (the last known commit's index and digest): consecutive
 * indices, each previous digest the digest before it. Returns the commits' digests, in order. This alone
 * proves nothing about consensus; certifying the range's last commit (`verifyCommitRange`) certifies all.
 */
export function linkCommitRange(
  commits: readonly Commit[],
  after: { index: number; digest: Uint8Array },
): Uint8Array[] {
  if (commits.length === 0) throw invalid("empty commit range");
  const digests: Uint8Array[] = [];
  let prev = after;
  for (const c of commits) {
    if (c.index !== prev.index + 1) throw invalid(`commit ${c.index} does not follow ${prev.index}`);
    if (!equalBytes(c.previousDigest, prev.digest))
      throw invalid(`commit ${c.index} breaks the digest chain`);
    const digest = commitDigest(c);
    digests.push(digest);
    prev = { index: c.index, digest };
  }
  return digests;
}

/**
 * Verifies a fetched range of commits: it must continue the local chain (`after` = last local commit
 * index and digest), be hash-chained, and its last commit must be certified by `voteBlocks`.
 * Returns the digests of the commits, in order.
 */
export function verifyCommitRange(
  commits: readonly Commit[],
  after: { index: number; digest: Uint8Array },
  voteBlocks: readonly VerifiedBlock[],
  committee: Committee,
): Uint8Array[] {
  const digests = linkCommitRange(commits, after);
  const last = { index: commits[commits.length - 1]!.index, digest: digests[digests.length - 1]! };
  if (!isCertified(last, voteBlocks, committee)) {
    throw invalid(`commit ${last.index} lacks votes of quorum stake`);
  }
  return digests;
}
