/**
 * `pnpm bench`: every benchmark suite in one run, each printing ours beside its peer with a ratio.
 * `pnpm bench <name…>` runs only the named suites. BENCH_TIME_MS sets the time per measurement.
 */
import { SUITES } from "./suites.ts";

const only = process.argv.slice(2);
for (const suite of SUITES) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  console.log(`\n## ${suite.name}: ${suite.description}`);
  await suite.run();
}
