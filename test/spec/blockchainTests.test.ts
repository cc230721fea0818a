/**
 * Every Cancun BlockchainTests case (ValidBlocks and InvalidBlocks) through the real chain: recover and
 * execute pools, LMDB (no fsync), one commit per block. Valid blocks must import, invalid ones must be
 * rejected with the head unchanged, and the head and post state must match. Known failures (file:case →
 * reason) may only shrink; a case that starts passing must be removed from the list.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type BlockTestJson, runBlockTest } from "../../node/chain/blockTest.ts";
import { startChainPools } from "../../node/cli/chainWorkers.ts";
import { loadBlockchainTests } from "../utils/blockFixtures.ts";

/** file:case → why it fails today. Empty: every case passes. */
const KNOWN_FAILURES: Record<string, string> = {};

const MIN_CASES = 519;

describe("BlockchainTests (Cancun) through block execution and the chain store", () => {
  const pools = startChainPools();
  afterAll(() => pools.close());

  it("passes every case", { timeout: 300_000 }, async () => {
    const tests = loadBlockchainTests().filter((t) => t.test.network === "Cancun");
    const failures: string[] = [];
    const fixed: string[] = [];
    let ran = 0;
    for (const { name, test } of tests) {
      const r = await runBlockTest(name, test as unknown as BlockTestJson, pools);
      ran++;
      const known = KNOWN_FAILURES[name];
      if (!r.pass && known === undefined) failures.push(`${name}: ${r.error}`);
      if (r.pass && known !== undefined) fixed.push(name);
    }
    expect(failures).toEqual([]);
    expect(fixed).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(MIN_CASES);
    expect(tests.filter((t) => t.name.startsWith("ValidBlocks/")).length).toBeGreaterThan(0);
    expect(tests.filter((t) => t.name.startsWith("InvalidBlocks/")).length).toBeGreaterThan(0);
  });
});
