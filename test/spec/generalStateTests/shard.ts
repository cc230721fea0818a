/**
 * Shared body of the GeneralStateTests shards: every Cancun case of the files assigned to shard `k` of `n`
 * (files sorted, round-robin), run on the WASM EVM through `node/evm/stateTest.ts`. Shards are separate test
 * files so vitest runs them on separate workers.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectJsonFiles } from "../../../node/cli/commands/statetest.ts";
import { runStateTestFile, type StateTestJson } from "../../../node/evm/stateTest.ts";
import { KNOWN_FAILURES } from "./knownFailures.ts";

export const FIXTURES = new URL(
  "../../../../shared/fixtures/ethereum-tests/GeneralStateTests",
  import.meta.url,
).pathname;
export const SHARDS = 4;
/**
 * Cancun cases per shard: the four shards hold 4,561 / 3,456 / 4,231 / 6,556 (18,804 in all), so a missing
 * fixture directory fails loudly.
 */
const MIN_CASES_PER_SHARD = 3400;
/**
 * Per-file limit: stTimeConsuming/CALLBlake2f_MaxRounds runs 2^32 − 1 BLAKE2F rounds (about 70 s alone on
 * this machine's class, more when the other test workers share its two cores).
 */
const FILE_TIMEOUT_MS = 300_000;

export function runShard(k: number): void {
  const files = collectJsonFiles(FIXTURES).filter((_, i) => i % SHARDS === k);
  let cases = 0;
  describe(`GeneralStateTests shard ${k + 1}/${SHARDS}`, () => {
    it.each(files.map((f) => [relative(FIXTURES, f), f]))(
      "%s",
      (rel, file) => {
        const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, StateTestJson>;
        const unexpected: string[] = [];
        for (const r of runStateTestFile(json)) {
          cases++;
          const key = `${rel}:${r.name}:${r.index}`;
          const known = KNOWN_FAILURES.has(key);
          if (!r.pass && !known) unexpected.push(`${key}: ${r.error ?? "failed"}`);
          if (r.pass && known) unexpected.push(`${key} passes now: remove it from knownFailures.ts`);
        }
        expect(unexpected).toEqual([]);
      },
      FILE_TIMEOUT_MS,
    );
    afterAll(() => {
      expect(cases).toBeGreaterThanOrEqual(MIN_CASES_PER_SHARD);
    });
  });
}
