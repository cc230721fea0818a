/** The bounded caches' one eviction rule: a key set again becomes the newest; past capacity the oldest go. */
import { describe, expect, it } from "vitest";
import { setNewest, setNewestWeighted } from "../../../../node/core/boundedMap.ts";

describe("setNewest", () => {
  it("keeps the newest `capacity` entries, refreshes a key set again, and counts what it drops", () => {
    const m = new Map<string, number>();
    expect(setNewest(m, "a", 1, 2)).toBe(0);
    expect(setNewest(m, "b", 2, 2)).toBe(0);
    expect(setNewest(m, "a", 3, 2)).toBe(0); // a is now the newest
    expect(setNewest(m, "c", 4, 2)).toBe(1); // b, the oldest, goes
    expect([...m.entries()]).toEqual([
      ["a", 3],
      ["c", 4],
    ]);
    const big = new Map([1, 2, 3, 4, 5].map((k) => [k, k]));
    expect(setNewest(big, 6, 6, 2)).toBe(4);
    expect([...big.keys()]).toEqual([5, 6]);
    expect(setNewest(new Map<number, number>(), 1, 1, 0)).toBe(1);
  });
});

describe("setNewestWeighted", () => {
  const w = (v: number) => v;
  it("drops the oldest while the weights sum past the budget, and also past the entry count", () => {
    const m = new Map<string, number>();
    expect(setNewestWeighted(m, "a", 4, 10, w, 10)).toBe(0);
    expect(setNewestWeighted(m, "b", 5, 10, w, 10)).toBe(0);
    expect(setNewestWeighted(m, "c", 3, 10, w, 10)).toBe(1); // 12 > 10: a goes
    expect([...m.keys()]).toEqual(["b", "c"]);
    expect(setNewestWeighted(m, "b", 5, 10, w, 10)).toBe(0); // refreshed, 8 held
    expect([...m.keys()]).toEqual(["c", "b"]);
    expect(setNewestWeighted(m, "d", 1, 2, w, 10)).toBe(1); // the count bound: c goes
    expect([...m.keys()]).toEqual(["b", "d"]);
  });

  it("keeps the newest entry even when it alone is over the budget", () => {
    const m = new Map<string, number>([["a", 1]]);
    expect(setNewestWeighted(m, "big", 50, 10, w, 10)).toBe(1);
    expect([...m.entries()]).toEqual([["big", 50]]);
  });
});
