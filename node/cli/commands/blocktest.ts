/**
 * `fastevm blocktest PATH…`: runs BlockchainTests-format files (directories searched recursively) through
 * the real chain — recover and execute pools, LMDB, one commit per block — printing one line per case and
 * `N passed, M failed`; `--json` prints one JSON object per case instead.
 */
import { readFileSync } from "node:fs";
import { type BlockTestJson, runBlockTest } from "../../chain/blockTest.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { startChainPools } from "../chainWorkers.ts";
import type { CliCommand } from "../command.ts";
import { collectJsonFiles } from "./statetest.ts";

const USAGE = "usage: fastevm blocktest [--json] PATH…";

export const blocktestCommand: CliCommand = {
  name: "blocktest",
  summary: "run BlockchainTests files through block execution and the chain store",
  usage: USAGE,
  async run(argv) {
    let json = false;
    const paths: string[] = [];
    for (const a of argv) {
      if (a === "--json") json = true;
      else if (a.startsWith("--")) throw new FastEvmError(ErrorCode.CLI_USAGE, `unknown flag ${a}\n${USAGE}`);
      else paths.push(a);
    }
    if (paths.length === 0) throw new FastEvmError(ErrorCode.CLI_USAGE, USAGE);
    const pools = startChainPools();
    let passed = 0;
    let failed = 0;
    try {
      for (const file of paths.flatMap((p) => collectJsonFiles(p))) {
        const parsed = JSON.parse(readFileSync(file, "utf8")) as Record<string, BlockTestJson>;
        for (const [name, test] of Object.entries(parsed)) {
          const r = await runBlockTest(name, test, pools);
          if (r.skipped) continue;
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
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  },
};
