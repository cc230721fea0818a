import { describe, expect, it } from "vitest";
import {
  Committee,
  committeeFromJson,
  committeeToJson,
  StakeAggregator,
} from "../../../../../node/consensus/mysticeti/committee.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

describe("Committee", () => {
  it("computes quorum 2f+1 and validity f+1 from stake", () => {
    const c4 = testCommittee(4).committee;
    expect([c4.totalStake, c4.quorumThreshold, c4.validityThreshold]).toEqual([4, 3, 2]);
    const c7 = testCommittee(7).committee;
    expect([c7.quorumThreshold, c7.validityThreshold]).toEqual([5, 3]);
    const w = testCommittee([10, 20, 30, 40]).committee;
    expect([w.totalStake, w.quorumThreshold, w.validityThreshold]).toEqual([100, 67, 34]);
  });

  it("aggregates stake once per authority", () => {
    const c = testCommittee([1, 1, 1, 1]).committee;
    const agg = new StakeAggregator(c);
    expect(agg.add(0)).toBe(false);
    expect(agg.add(0)).toBe(false);
    expect(agg.add(1)).toBe(false);
    expect(agg.add(2)).toBe(true);
    expect(agg.stake).toBe(3);
  });

  it("round-trips the committee file and validates it", () => {
    const c = testCommittee([1, 2, 3]).committee;
    const back = committeeFromJson(JSON.parse(JSON.stringify(committeeToJson(c))));
    expect(committeeToJson(back)).toEqual(committeeToJson(c));
    expect(back.quorumThreshold).toBe(c.quorumThreshold);
    const good = committeeToJson(c);
    const broken = [
      null,
      { authorities: "x" },
      { authorities: [] },
      { ...good, authorities: [{ ...good.authorities[0], stake: 0 }] },
      { ...good, authorities: [{ ...good.authorities[0], protocolKey: "0x1234" }] },
      { ...good, authorities: [{ ...good.authorities[0], feeRecipient: "0x12" }] },
      { ...good, epoch: -1 },
    ];
    for (const b of broken) expect(() => committeeFromJson(b)).toThrow();
  });

  it("refuses unusable committees", () => {
    expect(() => new Committee(0, [])).toThrow(/no authorities/);
  });
});
