/**
 * `fastevm blocktest PATH…`: runs BlockchainTests-format files (directories searched recursively) through
 * the real chain — recover and execute pools, LMDB, one commit per block — printing one line per case and
 * `N passed, M failed`; `--json` prints one JSON object per case instead. A file that is not a blockchain
 * test, or a run in which no case ran (every case of an unsupported fork), is an error: exit 1.
 */
import { asBlockTestFile, BLOCK_TEST_FORKS, runBlockTest } from "../../chain/blockTest.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { startChainPools } from "../chainWorkers.ts";
import { type CliCommand, type CommandSpec, defineCommand, usageError } from "../command.ts";
import { fixtureFiles, readJsonFile } from "./statetest.ts";

const SPEC: CommandSpec = {
  name: "blocktest",
  summary: "run BlockchainTests files through block execution and the chain store",
  args: "PATH…",
  description:
    `PATH is a fixture file or a directory searched recursively for .json files. Cases of networks other ` +
    `than ${BLOCK_TEST_FORKS.join(", ")} are skipped. Exits 1 when a case fails, when no case ran, or when ` +
    "a file is not a blockchain test.",
  options: [{ name: "json", help: "print one JSON object per case" }],
  example: "blocktest ../shared/fixtures/ethereum-tests/BlockchainTests/ValidBlocks/bcExample",
};

export const blocktestCommand: CliCommand = defineCommand(SPEC, async (args) => {
  const json = args.has("json");
  if (args.positionals.length === 0) throw usageError(SPEC, "at least one PATH is required");
  const files = fixtureFiles(args.positionals);
  const pools = startChainPools();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    for (const file of files) {
      const parsed = asBlockTestFile(readJsonFile(file), file);
      for (const [name, test] of Object.entries(parsed)) {
        const r = await runBlockTest(name, test, pools);
        if (r.skipped) {
          skipped++;
          continue;
        }
        if (r.pass) passed++;
        else failed++;
        if (json) console.log(JSON.stringify({ file, ...r }));
        else
          console.log(
            `${r.pass ? "PASS" : "FAIL"} ${file} ${name}${r.error === undefined ? "" : `: ${r.error}`}`,
          );
      }
    }
  } finally {
    await pools.close();
  }
  console.log(`${passed} passed, ${failed} failed${skipped === 0 ? "" : `, ${skipped} skipped`}`);
  if (passed + failed === 0)
    throw new FastEvmError(
      ErrorCode.NO_TEST_CASES,
      `no case ran${skipped === 0 ? "" : ` (${skipped} skipped: networks other than ${BLOCK_TEST_FORKS.join(", ")})`}`,
    );
  return failed === 0 ? 0 : 1;
});
