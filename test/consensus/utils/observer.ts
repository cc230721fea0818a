/** Runs an observer Core (commits, never proposes) over a delivery order and records its commits. */

import type { VerifiedBlock } from "../../../node/consensus/mysticeti/block.ts";
import { createCore } from "../../../node/consensus/mysticeti/recovery.ts";
import { MemoryConsensusStore } from "../../../node/consensus/mysticeti/store.ts";
import { bytesToUnprefixedHex } from "../../../node/core/hex.ts";
import type { TestCommittee } from "./testCommittee.ts";

export interface ObservedRun {
  /** one line per commit: index, leader slot, digest (readable diffs on failure) */
  readonly commits: string[];
  readonly committedBlocks: number;
  readonly lastLeaderRound: number;
  readonly suspended: number;
}

export function observe(
  t: TestCommittee,
  order: readonly VerifiedBlock[],
  gcDepth: number,
  reputationWindow = 0,
): ObservedRun {
  const core = createCore({
    committee: t.committee,
    authority: 0,
    clock: () => 0,
    store: new MemoryConsensusStore(),
    observer: true,
    options: { gcDepth, reputationWindow },
  });
  const commits: string[] = [];
  const seen = new Set<string>();
  let committedBlocks = 0;
  let lastLeaderRound = 0;
  for (const b of order) {
    for (const s of core.addBlocks([b]).commits) {
      commits.push(
        `${s.commit.index} L${s.leader.round}(${s.leader.author}) ${bytesToUnprefixedHex(s.commitRef.digest)}`,
      );
      for (const x of s.blocks) {
        if (seen.has(x.key)) throw new Error(`block ${x} committed twice`);
        seen.add(x.key);
      }
      committedBlocks += s.blocks.length;
      lastLeaderRound = s.leader.round;
    }
  }
  return { commits, committedBlocks, lastLeaderRound, suspended: core.suspendedCount };
}
