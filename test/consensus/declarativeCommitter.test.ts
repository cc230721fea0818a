/**
 * Decision-rule scenarios written in the DAG language (test/consensus/utils/dagDsl.ts). Four equal-stake
 * authorities A–D (quorum 3); the leader of round r is authority r mod 4 (round-robin election), so
 * L1 = B, L2 = C, L3 = D, L4 = A, L5 = B.
 */
import { describe, expect, it } from "vitest";
import { genesisBlocks } from "../../node/consensus/mysticeti/block.ts";
import { formatStatus, type LeaderStatus } from "../../node/consensus/mysticeti/committer/leaderStatus.ts";
import { UniversalCommitter } from "../../node/consensus/mysticeti/committer/universalCommitter.ts";
import { DagState } from "../../node/consensus/mysticeti/dagState.ts";
import { LeaderSchedule, RoundRobinElection } from "../../node/consensus/mysticeti/leaderSchedule.ts";
import type { DagBuilder } from "./utils/dagBuilder.ts";
import { parseDag } from "./utils/dagDsl.ts";
import { testCommittee } from "./utils/testCommittee.ts";

const t = testCommittee(4);

function decide(text: string, pipeline = true): { statuses: LeaderStatus[]; dag: DagBuilder } {
  const c = t.committee;
  const builder = parseDag(text, t);
  const dag = new DagState(c, genesisBlocks(c.epoch, c.size, c.epochStartMs), 50);
  for (const b of builder.blocks) dag.accept(b);
  const committer = new UniversalCommitter(c, dag, new LeaderSchedule(new RoundRobinElection(c)), {
    pipeline,
    leadersPerRound: 1,
  });
  return { statuses: committer.tryDecide({ round: 0, offset: -1 }), dag: builder };
}

const names = (s: LeaderStatus[]) => s.map(formatStatus);

describe("declarative committer scenarios", () => {
  it("direct commit: certificates of quorum stake at the decision round", () => {
    const { statuses, dag } = decide("R1: *\nR2: *\nR3: *");
    expect(names(statuses)).toEqual(["direct commit L1(1)"]);
    const s = statuses[0]!;
    expect(s.kind === "commit" && s.block.key).toBe(dag.get(1, 1)!.key);
  });

  it("direct commit needs the decision round: nothing is decided with only the voting round", () => {
    expect(names(decide("R1: *\nR2: *").statuses)).toEqual([]);
  });

  it("direct skip: quorum stake at the voting round does not reference the leader", () => {
    expect(names(decide("R1: *\nR2: * -> * - [B1]\nR3: *").statuses)).toEqual(["direct skip L1(1)"]);
  });

  it("undecided: neither blame nor certificates reach quorum", () => {
    const { statuses } = decide("R1: *\nR2: A,B -> * ; C,D -> * - [B1]\nR3: *");
    expect(names(statuses)).toEqual([]);
  });

  it("an undecided leader with no anchor yet holds back the decided leaders after it", () => {
    const { statuses } = decide("R1: *\nR2: A,B -> * ; C,D -> * - [B1]\nR3: *\nR4: *\nR5: *");
    expect(names(statuses)).toEqual([]);
  });

  it("indirect skip: the anchor's history holds no certificate for the leader", () => {
    const { statuses } = decide("R1: *\nR2: A,B -> * ; C,D -> * - [B1]\nR3: *\nR4: *\nR5: *\nR6: *");
    expect(names(statuses)).toEqual([
      "indirect skip L1(1)",
      "direct commit L2(2)",
      "direct commit L3(3)",
      "direct commit L4(0)",
    ]);
  });

  it("indirect commit: one certificate, in the anchor's causal history, is enough", () => {
    const { statuses, dag } = decide(`
      R1: *
      R2: A,B,C -> * ; D -> * - [B1]
      R3: A -> [A2,B2,C2] ; B -> [B2,C2,D2] ; C -> [C2,B2,D2] ; D -> [D2,B2,C2]
      R4: *
      R5: *
      R6: *
    `);
    expect(names(statuses)).toEqual([
      "indirect commit L1(1)",
      "direct commit L2(2)",
      "direct commit L3(3)",
      "direct commit L4(0)",
    ]);
    const s = statuses[0]!;
    expect(s.kind === "commit" && s.block.key).toBe(dag.get(1, 1)!.key);
  });

  it("indirect skip when the certificate is outside the anchor's history", () => {
    // B3 is the only certificate for B1, and only B's own next block references it
    const { statuses } = decide(`
      R1: *
      R2: A,B,C -> * ; D -> * - [B1]
      R3: A -> [A2,C2,D2] ; B -> [B2,A2,C2] ; C -> [C2,B2,D2] ; D -> [D2,B2,C2]
      R4: * -> * - [B3]
      R5: *
      R6: *
    `);
    expect(names(statuses)[0]).toBe("indirect skip L1(1)");
  });

  it("equivocating voter: D's second block at round 2 votes and turns an undecided leader into a commit", () => {
    const base = "R1: *\nR2: A,B -> * ; C,D -> * - [B1] ; D' -> *\n";
    // everyone references D's blaming version: B1 stays undecided
    expect(names(decide(`${base}R3: *`).statuses)).toEqual([]);
    // everyone references D's voting version D2': quorum of votes, four certificates
    const voting = `${base}R3: A -> [A2,B2,D2'] ; B -> [B2,A2,D2'] ; C -> [C2,A2,B2,D2'] ; D -> [D2',A2,B2]`;
    expect(names(decide(voting).statuses)).toEqual(["direct commit L1(1)"]);
  });

  it("equivocating leader: only the version supported by a quorum is committed", () => {
    const { statuses, dag } = decide(`
      R1: * ; B' -> *
      R2: A,B,C -> * ; D -> [D1,B1',A1,C1]
      R3: *
    `);
    expect(names(statuses)).toEqual(["direct commit L1(1)"]);
    const s = statuses[0]!;
    expect(s.kind === "commit" && s.block.key).toBe(dag.get(1, 1, 0)!.key);
    expect(dag.get(1, 1, 1)).toBeDefined();
  });

  it("equivocating leader with split votes stays undecided, then is skipped indirectly", () => {
    const split = `
      R1: * ; B' -> *
      R2: A,B -> * ; C,D -> [C1,B1',A1,D1]
      R3: *
    `;
    expect(names(decide(split).statuses)).toEqual([]);
    const later = decide(`${split}\nR4: *\nR5: *\nR6: *`);
    expect(names(later.statuses)[0]).toBe("indirect skip L1(1)");
  });

  it("without pipelining only every third round has a leader", () => {
    const { statuses } = decide("R1: *\nR2: *\nR3: *\nR4: *\nR5: *\nR6: *\nR7: *\nR8: *", false);
    expect(names(statuses)).toEqual(["direct commit L3(3)", "direct commit L6(2)"]);
  });

  it("the language rejects references to blocks that do not exist", () => {
    expect(() => parseDag("R1: *\nR2: A -> [B5]", t)).toThrow(/does not exist/);
    expect(() => parseDag("R1: A'", t)).toThrow(/prime without earlier version/);
  });
});
