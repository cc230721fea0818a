/**
 * Re-sending commits after a restart: execution reports the last commit index it applied, and every stored
 * commit after it is rebuilt (blocks loaded by ref) and handed over again, in order. Execution must be
 * idempotent by commit index; this is the other half of that contract.
 */
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { refKey, type VerifiedBlock } from "./block.ts";
import type { CommittedSubDag } from "./commit.ts";
import type { ConsensusStore } from "./store.ts";

/** Stored commits with index > `lastExecuted`, at most `limit`, as CommittedSubDags. */
export function committedSubDagsAfter(
  store: ConsensusStore,
  lastExecuted: number,
  limit = 1000,
): CommittedSubDag[] {
  const last = store.lastCommit()?.commit.index ?? 0;
  const stored = store.readCommits(lastExecuted + 1, Math.min(last, lastExecuted + limit));
  return stored.map(({ commit, digest }) => {
    const blocks: VerifiedBlock[] = commit.blocks.map((ref) => {
      const b = store.readBlock(refKey(ref));
      if (b === undefined) {
        throw new FastEvmError(
          ErrorCode.CONSENSUS_STORE,
          `commit ${commit.index} references a missing block`,
          {
            round: ref.round,
            author: ref.author,
          },
        );
      }
      return b;
    });
    return {
      commit,
      commitRef: { index: commit.index, digest },
      leader: commit.leader,
      blocks,
      timestampMs: commit.timestampMs,
    };
  });
}
