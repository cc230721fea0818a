/**
 * `pnpm bench`: every benchmark suite in one run, each printing ours beside its peer with a ratio.
 * `pnpm bench <name…>` runs only the named suites; an unknown name is an error (exit 1) that lists the
 * suites, as `pnpm bench --help` does. BENCH_TIME_MS sets the time per measurement.
 */
import { pathToFileURL } from "node:url";
import { type BenchSuite, SUITES } from "./suites.ts";

export function benchHelp(suites: readonly BenchSuite[] = SUITES): string {
  const width = Math.max(...suites.map((s) => s.name.length));
  return [
    "usage: pnpm bench [SUITE…]   (no SUITE: all of them, in this order)",
    "",
    "suites:",
    ...suites.map((s) => `  ${s.name.padEnd(width)}  ${s.description}`),
    "",
    "environment: BENCH_TIME_MS=N  time per measurement in ms",
    "example: pnpm bench rlp tx",
  ].join("\n");
}

/** The suites named in `args` (all when none), or the text to print and the exit code. */
export function selectSuites(
  args: readonly string[],
  suites: readonly BenchSuite[] = SUITES,
): { suites: readonly BenchSuite[] } | { exit: number; text: string } {
  if (args.includes("--help") || args.includes("-h")) return { exit: 0, text: benchHelp(suites) };
  const unknown = args.filter((a) => !suites.some((s) => s.name === a));
  if (unknown.length > 0)
    return {
      exit: 1,
      text: `bench: unknown suite ${unknown.map((u) => JSON.stringify(u)).join(", ")}\n\n${benchHelp(suites)}`,
    };
  return { suites: args.length === 0 ? suites : suites.filter((s) => args.includes(s.name)) };
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const picked = selectSuites(process.argv.slice(2));
  if ("exit" in picked) {
    (picked.exit === 0 ? console.log : console.error)(picked.text);
    process.exitCode = picked.exit;
  } else {
    for (const suite of picked.suites) {
      console.log(`\n## ${suite.name}: ${suite.description}`);
      await suite.run();
    }
  }
}
