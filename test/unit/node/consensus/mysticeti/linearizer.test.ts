import { describe, expect, it } from "vitest";
import { genesisBlocks } from "../../../../../node/consensus/mysticeti/block.ts";
import {
  commitDigest,
  decodeCommit,
  encodeCommit,
  ZERO_DIGEST,
} from "../../../../../node/consensus/mysticeti/commit.ts";
import { DagState } from "../../../../../node/consensus/mysticeti/dagState.ts";
import { Linearizer } from "../../../../../node/consensus/mysticeti/linearizer.ts";
import { equalBytes } from "../../../../../node/core/bytes.ts";
import { parseDag } from "../../../../consensus/utils/dagDsl.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

const t = testCommittee(4);

function setup(text: string, gcDepth = 50) {
  const c = t.committee;
  const b = parseDag(text, t);
  const dag = new DagState(c, genesisBlocks(c.epoch, c.size, c.epochStartMs), gcDepth);
  for (const x of b.blocks) dag.accept(x);
  return { b, dag, lin: new Linearizer(c, dag) };
}

describe("Linearizer", () => {
  it("commits a leader's uncommitted causal history in (round, author) order, genesis excluded", () => {
    const { b, dag, lin } = setup("R1: *\nR2: *\nR3: *\nR4: *");
    const [s1] = lin.handleCommit([b.get(1, 1)!]);
    expect(s1!.blocks.map((x) => x.key)).toEqual([b.get(1, 1)!.key]);
    const [s2] = lin.handleCommit([b.get(3, 3)!]);
    // D3's history minus B1: A1 C1 D1, round 2 all, D3
    expect(s2!.blocks.map((x) => `${x.round}/${x.author}`)).toEqual([
      "1/0",
      "1/2",
      "1/3",
      "2/0",
      "2/1",
      "2/2",
      "2/3",
      "3/3",
    ]);
    expect(dag.isCommitted(b.get(1, 1)!.key)).toBe(true);
  });

  it("hash-chains commits: index + previous digest; digest = BLAKE2b of the record", () => {
    const { b, lin } = setup("R1: *\nR2: *\nR3: *\nR4: *");
    const subs = lin.handleCommit([b.get(1, 1)!, b.get(2, 2)!, b.get(3, 3)!]);
    expect(subs.map((s) => s.commit.index)).toEqual([1, 2, 3]);
    expect(equalBytes(subs[0]!.commit.previousDigest, ZERO_DIGEST)).toBe(true);
    for (let i = 1; i < subs.length; i++) {
      expect(equalBytes(subs[i]!.commit.previousDigest, subs[i - 1]!.commitRef.digest)).toBe(true);
    }
    for (const s of subs) {
      expect(equalBytes(commitDigest(s.commit), s.commitRef.digest)).toBe(true);
      expect(decodeCommit(encodeCommit(s.commit))).toEqual(s.commit);
    }
  });

  it("never commits a block twice, even when a later leader's history overlaps", () => {
    const { b, lin } = setup("R1: *\nR2: *\nR3: *\nR4: *\nR5: *");
    const subs = lin.handleCommit([b.get(2, 2)!, b.get(4, 0)!, b.get(5, 1)!]);
    const all = subs.flatMap((s) => s.blocks.map((x) => x.key));
    expect(new Set(all).size).toBe(all.length);
    expect(() => lin.handleCommit([b.get(4, 0)!])).toThrow(/already committed/);
  });

  it("stamps commits with the stake-weighted median of the leader's parents, never decreasing", () => {
    const { b, lin } = setup("R1: *\nR2: *\nR3: *\nR4: *");
    const subs = lin.handleCommit([b.get(2, 2)!, b.get(3, 3)!]);
    // DagBuilder stamps round r at r × 100 ms: the parents of a round-r leader are at (r−1) × 100
    expect(subs.map((s) => s.timestampMs)).toEqual([100, 200]);
    for (let i = 1; i < subs.length; i++)
      expect(subs[i]!.timestampMs).toBeGreaterThanOrEqual(subs[i - 1]!.timestampMs);
  });

  it("leaves blocks at or below the GC round out of the sub-DAG", () => {
    // D goes quiet after D4 (nobody references D4), comes back at round 11 with a weak link to D4
    const text = [
      "R1: *\nR2: *\nR3: *\nR4: *\nR5: A,B,C -> * - [D4]",
      ...[6, 7, 8, 9, 10].map((r) => `R${r}: A,B,C`),
      "R11: *\nR12: *",
    ].join("\n");
    const { b, lin } = setup(text, 3);
    lin.handleCommit([b.get(8, 0)!]);
    const [s] = lin.handleCommit([b.get(12, 2)!]);
    const keys = s!.blocks.map((x) => x.key);
    // GC round of the second commit = 8 − 3 = 5: D4 is reachable (through D11) but too old
    expect(b.get(11, 3)!.ancestors[0]!.round).toBe(4);
    expect(keys).toContain(b.get(11, 3)!.key);
    expect(keys).not.toContain(b.get(4, 3)!.key);
  });
});
