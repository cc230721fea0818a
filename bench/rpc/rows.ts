/** Latency rows of the RPC benchmarks (engine, public): rate and p50/p99 of one call, printed as a table. */
import type { ChildProcess } from "node:child_process";

export interface Row {
  readonly server: string;
  readonly call: string;
  readonly n: number;
  readonly perSec: number;
  readonly p50: number;
  readonly p99: number;
}

export function row(server: string, call: string, ms: number[], totalMs: number): Row {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { server, call, n: ms.length, perSec: (ms.length * 1000) / totalMs, p50: q(0.5), p99: q(0.99) };
}

export function printRows(rows: readonly Row[], rate: string, digits: number): void {
  console.log(`| server | call | n | ${rate} | p50 ms | p99 ms |`);
  console.log("|---|---|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.server} | ${r.call} | ${r.n} | ${r.perSec.toFixed(0)} | ${r.p50.toFixed(digits)} | ${r.p99.toFixed(digits)} |`,
    );
}

/** SIGTERM and wait. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once("exit", () => res());
    child.kill("SIGTERM");
  });
}

/** SIGKILL whatever is still running (the benchmark failed half-way). */
export function killLeft(children: readonly ChildProcess[]): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}
