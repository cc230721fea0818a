/** The LMDB ConsensusStore behaves like the in-memory one and survives closing and reopening the datadir. */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LmdbConsensusStore } from "../../../../node/consensus/lmdbStore.ts";
import { genesisBlocks } from "../../../../node/consensus/mysticeti/block.ts";
import { DagState } from "../../../../node/consensus/mysticeti/dagState.ts";
import { Linearizer } from "../../../../node/consensus/mysticeti/linearizer.ts";
import { createCore } from "../../../../node/consensus/mysticeti/recovery.ts";
import { type ConsensusStore, MemoryConsensusStore } from "../../../../node/consensus/mysticeti/store.ts";
import { openStorage } from "../../../../node/storage/storage.ts";
import { parseDag } from "../../../consensus/utils/dagDsl.ts";
import { testCommittee } from "../../../consensus/utils/testCommittee.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const t = testCommittee(4);
const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function fixture() {
  const c = t.committee;
  const b = parseDag("R1: *\nR2: *\nR3: *\nR4: *\nR5: A,B,C", t);
  const dag = new DagState(c, genesisBlocks(c.epoch, c.size, c.epochStartMs), 50);
  for (const x of b.blocks) dag.accept(x);
  const subs = new Linearizer(c, dag).handleCommit([b.get(1, 1)!, b.get(2, 2)!, b.get(3, 3)!]);
  return { b, commits: subs.map((s) => ({ commit: s.commit, digest: s.commitRef.digest })) };
}

function view(s: ConsensusStore) {
  return {
    scan: s.scanBlocks(3).map((x) => x.key),
    all: s.scanBlocks(0).length,
    last: [0, 1, 2, 3].map((a) => s.lastBlockOf(a)?.key),
    read: s.readBlock(fixture().b.get(2, 1)!.key)?.key,
    missing: s.readBlock(`9/1/${"00".repeat(32)}`),
    lastCommit: s.lastCommit()?.commit.index,
    commits: s.readCommits(2, 9).map((c) => c.commit),
  };
}

describe("LmdbConsensusStore", () => {
  it("matches the in-memory store and persists across reopen", async () => {
    const { b, commits } = fixture();
    const mem = new MemoryConsensusStore();
    await mem.write({ blocks: b.blocks, commits });
    const dir = tempDir();
    dirs.push(dir);
    const datadir = join(dir.path, "datadir");
    let storage = openStorage(datadir, { noSync: true });
    const lmdb = new LmdbConsensusStore(storage);
    await lmdb.write({ blocks: b.blocks.slice(0, 8), commits: [] });
    await lmdb.write({ blocks: b.blocks.slice(8), commits });
    expect(view(lmdb)).toEqual(view(mem));
    await storage.close();
    storage = openStorage(datadir, { noSync: true });
    const reopened = new LmdbConsensusStore(storage);
    expect(view(reopened)).toEqual(view(mem));
    expect(reopened.lastBlockOf(3)?.round).toBe(4);
    // Core recovers its commit tip and own last block from the reopened store
    const core = createCore({
      committee: t.committee,
      authority: 1,
      clock: () => 0,
      store: reopened,
      observer: true,
    });
    expect(core.lastCommitIndex).toBe(3);
    expect(core.lastProposedRound).toBe(5);
    await storage.close();
  });
});
