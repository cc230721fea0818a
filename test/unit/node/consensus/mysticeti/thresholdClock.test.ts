import { describe, expect, it } from "vitest";
import { ThresholdClock } from "../../../../../node/consensus/mysticeti/thresholdClock.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

describe("ThresholdClock", () => {
  const c = testCommittee([1, 1, 1, 1]).committee;

  it("advances to r+1 on quorum stake at r, once per author", () => {
    const clock = new ThresholdClock(c);
    expect(clock.round).toBe(1);
    expect(clock.add(1, 0)).toBe(false);
    expect(clock.add(1, 0)).toBe(false);
    expect(clock.add(1, 1)).toBe(false);
    expect(clock.add(1, 2)).toBe(true);
    expect(clock.round).toBe(2);
  });

  it("ignores older rounds and jumps on a higher one", () => {
    const clock = new ThresholdClock(c);
    expect(clock.add(5, 3)).toBe(true);
    expect(clock.round).toBe(5);
    expect(clock.add(4, 0)).toBe(false);
    clock.add(5, 0);
    clock.add(5, 1);
    expect(clock.round).toBe(6);
  });

  it("a jump resets the partial aggregate of the old round", () => {
    const clock = new ThresholdClock(c);
    clock.add(1, 0);
    clock.add(1, 1);
    clock.add(2, 2); // jump to 2
    clock.add(2, 0);
    expect(clock.round).toBe(2);
    clock.add(2, 1);
    expect(clock.round).toBe(3);
  });
});
