import { describe, expect, it } from "vitest";
import { genesisBlocks, refKey, VerifiedBlock } from "../../../../../node/consensus/mysticeti/block.ts";
import { BlockManager } from "../../../../../node/consensus/mysticeti/blockManager.ts";
import { DagState } from "../../../../../node/consensus/mysticeti/dagState.ts";
import { parseDag } from "../../../../consensus/utils/dagDsl.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

const t = testCommittee(4);
const fresh = () => {
  const c = t.committee;
  const dag = new DagState(c, genesisBlocks(c.epoch, c.size, c.epochStartMs), 50);
  return { dag, bm: new BlockManager(dag) };
};
const keys = (bs: readonly VerifiedBlock[]) => bs.map((b) => b.key);

describe("BlockManager", () => {
  const b = parseDag("R1: *\nR2: *\nR3: *", t);

  it("accepts blocks whose ancestors are present", () => {
    const { dag, bm } = fresh();
    const r = bm.tryAccept(b.round(1));
    expect(keys(r.accepted)).toEqual(keys(b.round(1)));
    expect(r.missing).toEqual([]);
    expect(dag.blocksAtRound(1)).toHaveLength(4);
  });

  it("suspends a block with missing ancestors, reports them once, and wakes it (and its descendants) later", () => {
    const { dag, bm } = fresh();
    const a3 = b.get(3, 0)!;
    const r1 = bm.tryAccept([a3]);
    expect(r1.accepted).toEqual([]);
    expect(r1.missing.map(refKey).sort()).toEqual(keys(b.round(2)).sort());
    expect(bm.suspendedCount).toBe(1);
    // round 2 blocks arrive: they are suspended too and their round-1 ancestors become the missing ones
    const r2 = bm.tryAccept(b.round(2));
    expect(r2.accepted).toEqual([]);
    expect(r2.missing.map(refKey).sort()).toEqual(keys(b.round(1)).sort());
    expect(bm.missingBlocks().map(refKey).sort()).toEqual(keys(b.round(1)).sort());
    // round 1 arrives: everything cascades, ancestors first
    const r3 = bm.tryAccept(b.round(1));
    expect(r3.accepted).toHaveLength(4 + 4 + 1);
    expect(r3.accepted.map((x) => x.round)).toEqual(
      [...r3.accepted.map((x) => x.round)].sort((x, y) => x - y),
    );
    expect(bm.suspendedCount).toBe(0);
    expect(bm.missingBlocks()).toEqual([]);
    expect(dag.has(a3.key)).toBe(true);
  });

  it("bounds the suspension buffer: overflowing blocks are refused and nothing is fetched for them", () => {
    const c = t.committee;
    const dag = new DagState(c, genesisBlocks(c.epoch, c.size, c.epochStartMs), 50);
    const bm = new BlockManager(dag, 2);
    const r3 = b.round(3);
    expect(bm.tryAccept([r3[0]!, r3[1]!]).missing.length).toBe(4);
    const r = bm.tryAccept([r3[2]!, b.get(2, 0)!]);
    expect(r.missing).toEqual([]);
    expect(bm.suspendedCount).toBe(2);
    expect(bm.overflow).toBe(2);
    // the refused ones are accepted later like any block, once the buffer drains
    bm.tryAccept([...b.round(1), ...b.round(2)]);
    expect(bm.suspendedCount).toBe(0);
    expect(bm.tryAccept([r3[2]!]).accepted.map((x) => x.key)).toEqual([r3[2]!.key]);
  });

  it("ignores duplicates", () => {
    const { bm } = fresh();
    bm.tryAccept(b.round(1));
    expect(bm.tryAccept(b.round(1)).accepted).toEqual([]);
  });

  it("rejects a block stamped before an ancestor, and every block waiting on it", () => {
    const { bm } = fresh();
    bm.tryAccept(b.round(1));
    const r1 = b.round(1);
    // A2 claims an earlier time than its ancestors (built by hand, validly signed)
    const bad = VerifiedBlock.fromBlock(
      t.signers[0]!.sign({
        epoch: 0,
        round: 2,
        author: 0,
        timestampMs: 1,
        ancestors: r1.map((x) => x.ref),
        transactions: [],
        commitVotes: [],
      }),
    );
    const child = VerifiedBlock.fromBlock(
      t.signers[1]!.sign({
        epoch: 0,
        round: 3,
        author: 1,
        timestampMs: 10_000,
        ancestors: [r1[1]!.ref, bad.ref, r1[2]!.ref, r1[3]!.ref].map((x, i) => (i === 0 ? x : x)),
        transactions: [],
        commitVotes: [],
      }),
    );
    expect(bm.tryAccept([child]).accepted).toEqual([]);
    const r = bm.tryAccept([bad]);
    expect(r.accepted).toEqual([]);
    expect(r.rejected.map((x) => [x.block.key, x.reason])).toEqual([
      [bad.key, "TIMESTAMP_BEFORE_ANCESTOR"],
      [child.key, "TIMESTAMP_BEFORE_ANCESTOR"],
    ]);
    expect(bm.suspendedCount).toBe(0);
  });
});

describe("DagState equivocation count (metrics)", () => {
  it("counts a second accepted version of a slot, once per extra version", () => {
    const d = parseDag("R1: *\nR2: A,B,C,D,D'", t);
    const { dag, bm } = fresh();
    bm.tryAccept(d.round(1));
    expect(dag.equivocations).toBe(0);
    bm.tryAccept(d.round(2));
    expect(dag.equivocations).toBe(0);
    bm.tryAccept([d.get(2, 3, 1)!]);
    expect(dag.blocksAtSlot(2, 3)).toHaveLength(2);
    expect(dag.equivocations).toBe(1);
    // the same block again is no new version
    dag.accept(d.get(2, 3, 1)!);
    expect(dag.equivocations).toBe(1);
  });
});
