import { describe, expect, it } from "vitest";
import { genesisBlocks } from "../../../../../node/consensus/mysticeti/block.ts";
import { DagState } from "../../../../../node/consensus/mysticeti/dagState.ts";
import { Linearizer } from "../../../../../node/consensus/mysticeti/linearizer.ts";
import { MemoryConsensusStore } from "../../../../../node/consensus/mysticeti/store.ts";
import { parseDag } from "../../../../consensus/utils/dagDsl.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

const t = testCommittee(4);

describe("MemoryConsensusStore", () => {
  const b = parseDag("R1: *\nR2: *\nR3: *\nR4: *", t);
  const c = t.committee;
  const dag = new DagState(c, genesisBlocks(c.epoch, c.size, c.epochStartMs), 50);
  for (const x of b.blocks) dag.accept(x);
  const subs = new Linearizer(c, dag).handleCommit([b.get(1, 1)!, b.get(2, 2)!]);
  const commits = subs.map((s) => ({ commit: s.commit, digest: s.commitRef.digest }));

  it("stores blocks and commits as bytes and reads them back identically", async () => {
    const s = new MemoryConsensusStore();
    await s.write({ blocks: b.blocks, commits });
    expect(s.scanBlocks(3).map((x) => x.key)).toEqual([...b.round(3), ...b.round(4)].map((x) => x.key));
    expect(s.readBlock(b.get(2, 1)!.key)?.key).toBe(b.get(2, 1)!.key);
    expect(s.lastBlockOf(2)?.key).toBe(b.get(4, 2)!.key);
    expect(s.lastCommit()?.commit).toEqual(subs[1]!.commit);
    expect(s.readCommits(1, 5).map((x) => x.commit.index)).toEqual([1, 2]);
    expect(s.readCommits(2, 2)[0]!.digest).toEqual(subs[1]!.commitRef.digest);
  });

  it("is idempotent for repeated blocks and forgets everything on wipe", async () => {
    const s = new MemoryConsensusStore();
    await s.write({ blocks: b.blocks, commits: [] });
    await s.write({ blocks: b.blocks, commits: [] });
    expect(s.blockCount).toBe(b.blocks.length);
    s.wipe();
    expect(s.blockCount).toBe(0);
    expect(s.lastCommit()).toBeUndefined();
    expect(s.lastBlockOf(0)).toBeUndefined();
  });
});
