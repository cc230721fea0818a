/**
 * Recovery: builds a Core from its ConsensusStore. It reloads the last commit, the blocks above the GC
 * round of that commit (and the own last block, wherever it is), the committed flags of the commits that
 * can still reach those blocks, and the own last proposed round, so a restarted validator neither
 * re-commits anything nor signs a second block for a round it already used.
 */

import { committedSubDagsAfter } from "./commitReplay.ts";
import { Core, type CoreDeps } from "./core.ts";
import type { StoredCommit } from "./store.ts";

/** Builds a Core, restoring DAG state, commit chain and own last block from `deps.store`. */
export function createCore(deps: CoreDeps): Core {
  const core = new Core(deps);
  const last = deps.store.lastCommit();
  const gcDepth = core.options.gcDepth;
  const from = Math.max(1, (last?.commit.leader.round ?? 0) - gcDepth);
  const blocks = deps.store.scanBlocks(from);
  const own = deps.store.lastBlockOf(deps.authority);
  if (own !== undefined && own.round < from) blocks.unshift(own);
  // commits that may have committed blocks still above the GC round after recovery
  const commits: StoredCommit[] = [];
  if (last !== undefined) {
    let lo = last.commit.index;
    while (lo > 1) {
      const c = deps.store.readCommits(lo - 1, lo - 1)[0];
      if (c === undefined || c.commit.leader.round <= from) break;
      lo--;
    }
    commits.push(...deps.store.readCommits(lo, last.commit.index));
  }
  core.restore(blocks, commits, last);
  // the leader schedule: replay the last complete reputation window and the partial one after it
  const window = core.options.reputationWindow;
  if (window > 0 && last !== undefined) {
    const tip = last.commit.index;
    const from = Math.max(0, (Math.floor(tip / window) - 1) * window);
    core.restoreReputation(committedSubDagsAfter(deps.store, from, tip - from));
  }
  return core;
}
