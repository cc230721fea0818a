/** The one timestamp rule and gas-limit bound (node/core/chain/blockRules.ts), as a table. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_TIMESTAMP_RULE,
  gasLimitProblem,
  MAX_GAS_LIMIT,
  minChildTimestamp,
  timestampProblem,
  timestampRuleOf,
} from "../../../../../node/core/chain/blockRules.ts";
import { chainConfigForFork, type TimestampRule } from "../../../../../node/core/chain/chainConfig.ts";

describe("timestamp rule", () => {
  it.each<[TimestampRule, bigint, bigint, boolean]>([
    ["strict", 101n, 100n, true],
    ["strict", 100n, 100n, false],
    ["strict", 99n, 100n, false],
    ["non-decreasing", 101n, 100n, true],
    ["non-decreasing", 100n, 100n, true],
    ["non-decreasing", 99n, 100n, false],
  ])("%s: child %d of parent %d valid=%s", (rule, ts, parent, ok) => {
    expect(timestampProblem(rule, ts, parent) === undefined).toBe(ok);
    // the floor the driver builds at is the lowest valid timestamp
    expect(timestampProblem(rule, minChildTimestamp(rule, parent), parent)).toBeUndefined();
    expect(timestampProblem(rule, minChildTimestamp(rule, parent) - 1n, parent)).toBeDefined();
  });

  it("one default, strict: for a config without a rule and for a caller without an override", () => {
    const config = chainConfigForFork("Cancun");
    expect(DEFAULT_TIMESTAMP_RULE).toBe("strict");
    expect(timestampRuleOf(config)).toBe("strict");
    expect(timestampRuleOf(undefined)).toBe("strict");
    expect(timestampRuleOf({ ...config, timestampRule: "non-decreasing" })).toBe("non-decreasing");
    expect(timestampRuleOf({ ...config, timestampRule: "non-decreasing" }, "strict")).toBe("strict");
  });
});

describe("gas-limit bound", () => {
  const parent = 30_000_000n;
  const bound = parent / 1024n; // 29_296
  it.each<[string, bigint, bigint, RegExp | undefined]>([
    ["same", parent, parent, undefined],
    ["up by bound - 1", parent + bound - 1n, parent, undefined],
    ["up by bound", parent + bound, parent, /differs/],
    ["down by bound - 1", parent - bound + 1n, parent, undefined],
    ["down by bound", parent - bound, parent, /differs/],
    ["below 5000", 4999n, 5000n, /below 5000/],
    ["at 5000", 5000n, 5000n, undefined],
    ["above 2^63 - 1", MAX_GAS_LIMIT + 1n, MAX_GAS_LIMIT, /2\^63/],
  ])("%s", (_, gasLimit, parentLimit, problem) => {
    const got = gasLimitProblem(gasLimit, parentLimit);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(problem);
  });
});
