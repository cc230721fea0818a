/**
 * Shared harness for `pnpm bench`: runs "ours" and "peer" variants of one operation in the same tinybench run
 * and prints operations per second with the ratio ours/peer. Each benchmark checks its own output before
 * timing (a fast wrong answer is not a result).
 */
import { Bench } from "tinybench";

export interface Variant {
  /** e.g. "fastevm", "fastevm (noble)", "@ethereumjs/tx" */
  readonly name: string;
  /** one operation; `unitsPerOp` scales the reported figure (e.g. bytes per op for MB/s) */
  readonly fn: () => unknown;
}

export interface Comparison {
  /** what is measured, e.g. "tx decode (EIP-1559)" */
  readonly title: string;
  /** unit of the figure, e.g. "tx/s", "MB/s" */
  readonly unit: string;
  /** multiply ops/s by this to get the unit (default 1) */
  readonly unitsPerOp?: number;
  /** the first is ours, the last the peer; ratios are against the last */
  readonly variants: readonly Variant[];
  /** for operations of a second or so: the fewest runs (tinybench's default 64) and one warm-up run */
  readonly minIterations?: number;
}

export interface ComparisonResult {
  readonly title: string;
  readonly unit: string;
  readonly figures: { readonly name: string; readonly perSecond: number }[];
}

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);

export async function runComparison(c: Comparison): Promise<ComparisonResult> {
  const few = c.minIterations === undefined ? {} : { iterations: c.minIterations, warmupIterations: 1 };
  const bench = new Bench({ time: TIME_MS, warmupTime: Math.min(200, TIME_MS), ...few });
  for (const v of c.variants) bench.add(v.name, v.fn);
  await bench.run();
  const scale = c.unitsPerOp ?? 1;
  const figures = bench.tasks.map((t) => {
    const r = t.result as { throughput?: { mean: number }; hz?: number } | undefined;
    const hz = r?.throughput?.mean ?? r?.hz ?? 0;
    return { name: t.name, perSecond: hz * scale };
  });
  printComparison({ title: c.title, unit: c.unit, figures });
  return { title: c.title, unit: c.unit, figures };
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2);
}

export function printComparison(r: ComparisonResult): void {
  const peer = r.figures[r.figures.length - 1];
  console.log(`\n${r.title}`);
  for (const f of r.figures) {
    const ratio =
      peer && peer !== f && peer.perSecond > 0
        ? `  ${(f.perSecond / peer.perSecond).toFixed(2)}x vs ${peer.name}`
        : "";
    console.log(`  ${f.name.padEnd(28)} ${fmt(f.perSecond).padStart(14)} ${r.unit}${ratio}`);
  }
}
