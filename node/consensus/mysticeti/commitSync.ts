/**
 * Commit sync messages, shared by the node and the simulator: building a certified range for a peer and
 * checking one received from a peer. Everything received is verified before Core sees it: the hash chain
 * continues our tip, quorum-stake votes certify its last commit, every block verifies and matches the
 * refs its commit names.
 */
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { Commit, FetchCommitsResponse } from "../../core/wire/consensus.ts";
import type { VerifiedBlock } from "./block.ts";
import { refKey } from "./block.ts";
import { decodeCommit, encodeCommit, ZERO_DIGEST } from "./commit.ts";
import { verifyCommitRange } from "./commitCertification.ts";
import { committedSubDagsAfter } from "./commitReplay.ts";
import type { Committee } from "./committee.ts";
import type { Core } from "./core.ts";
import type { ConsensusStore } from "./store.ts";

/** Commits per fetchCommits response (Sui's commit sync batch). */
export const COMMIT_SYNC_BATCH = 100;

export const EMPTY_COMMITS_RESPONSE: FetchCommitsResponse = {
  kind: "fetchCommitsResponse",
  commits: [],
  blocks: [],
  votes: [],
};

/**
 * Serves `fetchCommits`: a certified range starting at `from`, or an empty response. With `blocks: false`
 * (certificates only, for full nodes), see `serveCommitCertificates`.
 */
export function serveCommitRange(
  core: Core,
  store: ConsensusStore,
  from: number,
  max: number,
  blocks = true,
): FetchCommitsResponse {
  if (!blocks) return serveCommitCertificates(core, store, from, max);
  const range = core.certifiedRange(from, Math.min(max, COMMIT_SYNC_BATCH), (a, b) =>
    committedSubDagsAfter(store, a - 1, b - a + 1),
  );
  if (range === undefined) return EMPTY_COMMITS_RESPONSE;
  return {
    kind: "fetchCommitsResponse",
    commits: range.commits.map((c) => encodeCommit(c.commit)),
    blocks: range.commits.flatMap((c) => c.blocks.map((b) => b.serialized)),
    votes: range.votes.map((b) => b.serialized),
  };
}

/**
 * Certificates only: the stored commits from `from` up to the highest one (≤ `from + max − 1`) this
 * validator holds votes of quorum stake for, with those votes and no blocks. When it holds votes for none
 * of them (pruned past the 2,000-commit window, or cast before this process started), the stored commits of
 * the range without votes: the asker links them by digest to a later certified commit.
 */
export function serveCommitCertificates(
  core: Core,
  store: ConsensusStore,
  from: number,
  max: number,
): FetchCommitsResponse {
  const last = store.lastCommit()?.commit.index ?? 0;
  const top = Math.min(last, from + Math.min(max, COMMIT_SYNC_BATCH) - 1);
  if (from < 1 || top < from) return EMPTY_COMMITS_RESPONSE;
  const stored = store.readCommits(from, top);
  for (let i = stored.length - 1; i >= 0; i--) {
    const c = stored[i]!;
    const votes = core.certificate({ index: c.commit.index, digest: c.digest });
    if (votes === undefined) continue;
    return {
      kind: "fetchCommitsResponse",
      commits: stored.slice(0, i + 1).map((s) => encodeCommit(s.commit)),
      blocks: [],
      votes: votes.map((b) => b.serialized),
    };
  }
  return {
    kind: "fetchCommitsResponse",
    commits: stored.map((s) => encodeCommit(s.commit)),
    blocks: [],
    votes: [],
  };
}

/**
 * Checks a received range against our tip. `verifyBlock` decodes and verifies block bytes (throws if
 * invalid). Returns the commits with their blocks, ready for `Core.addCertifiedCommits`.
 */
export function parseCommitRange(
  res: FetchCommitsResponse,
  tip: { index: number; digest: Uint8Array | undefined },
  committee: Committee,
  verifyBlock: (bytes: Uint8Array) => VerifiedBlock,
): { commit: Commit; blocks: VerifiedBlock[] }[] {
  if (res.commits.length === 0) return [];
  const commits = res.commits.map(decodeCommit);
  const votes = res.votes.map(verifyBlock);
  verifyCommitRange(commits, { index: tip.index, digest: tip.digest ?? ZERO_DIGEST }, votes, committee);
  let next = 0;
  return commits.map((commit) => {
    const bytes = res.blocks.slice(next, next + commit.blocks.length);
    next += commit.blocks.length;
    if (bytes.length !== commit.blocks.length) {
      throw new FastEvmError(ErrorCode.CONSENSUS_COMMIT_INVALID, `commit ${commit.index} is missing blocks`);
    }
    const blocks = bytes.map(verifyBlock);
    blocks.forEach((b, i) => {
      if (b.key !== refKey(commit.blocks[i]!)) {
        throw new FastEvmError(
          ErrorCode.CONSENSUS_COMMIT_INVALID,
          `commit ${commit.index}: block ${i} is not the one named`,
        );
      }
    });
    return { commit, blocks };
  });
}
