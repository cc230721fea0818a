/**
 * `fastevm statetest PATH…`: runs GeneralStateTests-format files (directories searched recursively) on the
 * WASM EVM, printing one line per case and `N passed, M failed`. `--json` prints the results as JSON lines,
 * `--bench` repeats each case (default 10 runs) and prints the median time and Mgas/s, like geth's
 * `evm statetest --bench`. `--fork NAME` selects the post entries (default Cancun).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { asStateTestFile, type CaseResult, runStateTestFile, STATE_TEST_FORKS } from "../../evm/stateTest.ts";
import { type CliCommand, type CommandSpec, defineCommand, usageError } from "../command.ts";

const SPEC: CommandSpec = {
  name: "statetest",
  summary: "run GeneralStateTests files on the WASM EVM and check post-state roots and logs",
  args: "PATH…",
  description:
    "PATH is a fixture file or a directory searched recursively for .json files. Exits 1 when a case fails, " +
    "when no case of the fork was found, or when a file is not a state test.",
  options: [
    { name: "json", help: "print one JSON object per case" },
    {
      name: "bench",
      value: "RUNS",
      optionalValue: { accepts: (w) => /^[1-9]\d*$/.test(w), whenAbsent: "10" },
      help: "repeat each case RUNS times (10 when left out) and print the median time and Mgas/s",
    },
    {
      name: "fork",
      value: "NAME",
      default: "Cancun",
      help: `the post entries to run; supported: ${STATE_TEST_FORKS.join(", ")}`,
    },
  ],
  example: "statetest --fork Cancun ../shared/fixtures/ethereum-tests/GeneralStateTests/stExample",
};

export function collectJsonFiles(path: string, out: string[] = []): string[] {
  if (!existsSync(path)) throw new FastEvmError(ErrorCode.CLI_USAGE, `no such file or directory: ${path}`);
  if (statSync(path).isDirectory()) {
    for (const e of readdirSync(path).sort()) collectJsonFiles(join(path, e), out);
  } else if (path.endsWith(".json")) {
    out.push(path);
  }
  return out;
}

function line(file: string, r: CaseResult): string {
  const id = `${r.name}[${r.fork}:d${r.indexes.data}g${r.indexes.gas}v${r.indexes.value}]`;
  let s = `${r.pass ? "PASS" : "FAIL"} ${file} ${id}`;
  if (r.timeNs !== undefined) {
    const mgas = r.timeNs > 0 ? (Number(r.gasUsed) / r.timeNs) * 1000 : 0;
    s += ` ${(r.timeNs / 1e6).toFixed(3)} ms ${mgas.toFixed(1)} Mgas/s`;
  }
  return r.error === undefined ? s : `${s}: ${r.error}`;
}

/** Reads and parses one JSON fixture file; unreadable or malformed JSON is FIXTURE_INVALID (no stack trace). */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new FastEvmError(ErrorCode.FIXTURE_INVALID, `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new FastEvmError(ErrorCode.FIXTURE_INVALID, `${file} is not JSON: ${(e as Error).message}`);
  }
}

/** The JSON files under `paths`; none at all is NO_TEST_CASES. */
export function fixtureFiles(paths: readonly string[]): string[] {
  const files = paths.flatMap((p) => collectJsonFiles(p));
  if (files.length === 0)
    throw new FastEvmError(ErrorCode.NO_TEST_CASES, `no .json files in ${paths.join(", ")}`);
  return files;
}

export const statetestCommand: CliCommand = defineCommand(SPEC, async (args) => {
  const json = args.has("json");
  const benchText = args.get("bench");
  const benchRuns = benchText === undefined ? undefined : Number(benchText);
  if (benchRuns !== undefined && !(Number.isInteger(benchRuns) && benchRuns > 0))
    throw usageError(SPEC, "--bench RUNS must be a positive integer");
  const fork = args.get("fork") ?? "Cancun";
  if (!STATE_TEST_FORKS.includes(fork))
    throw usageError(
      SPEC,
      `unsupported fork ${JSON.stringify(fork)}: the WASM EVM implements ${STATE_TEST_FORKS.join(", ")} only`,
    );
  if (args.positionals.length === 0) throw usageError(SPEC, "at least one PATH is required");
  let passed = 0;
  let failed = 0;
  const forksSeen = new Set<string>();
  for (const file of fixtureFiles(args.positionals)) {
    const parsed = asStateTestFile(readJsonFile(file), file);
    for (const t of Object.values(parsed)) for (const f of Object.keys(t.post)) forksSeen.add(f);
    for (const r of runStateTestFile(parsed, { fork, ...(benchRuns !== undefined ? { benchRuns } : {}) })) {
      if (r.pass) passed++;
      else failed++;
      if (json) {
        console.log(JSON.stringify({ file, ...r, gasUsed: r.gasUsed.toString() }));
      } else console.log(line(file, r));
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (passed + failed === 0)
    throw new FastEvmError(
      ErrorCode.NO_TEST_CASES,
      `no ${fork} cases ran (the files hold ${forksSeen.size === 0 ? "no post entries" : `only ${[...forksSeen].sort().join(", ")}`})`,
    );
  return failed === 0 ? 0 : 1;
});
