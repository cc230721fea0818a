/**
 * `fastevm statetest PATH…`: runs GeneralStateTests-format files (directories searched recursively) on the
 * WASM EVM, printing one line per case and `N passed, M failed`. `--json` prints the results as JSON lines,
 * `--bench` repeats each case (default 10 runs) and prints the median time and Mgas/s, like geth's
 * `evm statetest --bench`. `--fork NAME` selects the post entries (default Cancun).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { type CaseResult, runStateTestFile, type StateTestJson } from "../../evm/stateTest.ts";
import type { CliCommand } from "../command.ts";

const USAGE = "usage: fastevm statetest [--json] [--bench [RUNS]] [--fork NAME] PATH…";

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

export const statetestCommand: CliCommand = {
  name: "statetest",
  summary: "run GeneralStateTests files on the WASM EVM and check post-state roots and logs",
  usage: USAGE,
  async run(argv) {
    let json = false;
    let benchRuns: number | undefined;
    let fork = "Cancun";
    const paths: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] ?? "";
      if (a === "--json") json = true;
      else if (a === "--bench") {
        const n = Number(argv[i + 1]);
        benchRuns = 10;
        if (Number.isInteger(n) && n > 0) {
          benchRuns = n;
          i++;
        }
      } else if (a === "--fork") fork = argv[++i] ?? fork;
      else if (a.startsWith("--")) throw new FastEvmError(ErrorCode.CLI_USAGE, `unknown flag ${a}\n${USAGE}`);
      else paths.push(a);
    }
    if (paths.length === 0) throw new FastEvmError(ErrorCode.CLI_USAGE, USAGE);
    let passed = 0;
    let failed = 0;
    for (const file of paths.flatMap((p) => collectJsonFiles(p))) {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as Record<string, StateTestJson>;
      for (const r of runStateTestFile(parsed, { fork, ...(benchRuns !== undefined ? { benchRuns } : {}) })) {
        if (r.pass) passed++;
        else failed++;
        if (json) {
          console.log(JSON.stringify({ file, ...r, gasUsed: r.gasUsed.toString() }));
        } else console.log(line(file, r));
      }
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  },
};
