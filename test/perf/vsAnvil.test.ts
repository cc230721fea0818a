/**
 * `pnpm perf --vs-anvil` end to end (the tool as a process): one short transfer step against a
 * 1-validator devnet it starts, then the same step against anvil (the @foundry-rs/anvil binary) it starts;
 * both reports and the comparison are written, every accepted transaction was included on both, the ratio
 * printed is the two measured TPS divided, and the anvil process it started is gone afterwards.
 * PERF_TEST=0 skips it.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anvilBinary } from "../../perf/anvil.ts";
import type { StepSummary } from "../../perf/stats.ts";
import { REPO_ROOT } from "../utils/fixtures.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const RATE = 30;
const DURATION_S = 4;
const dir = tempDir("fastevm-perf-anvil-");
const out = join(dir.path, "out");

interface TargetResult {
  meta: Record<string, string>;
  steps: StepSummary[];
}
let result: { fastevm: TargetResult; anvil: TargetResult };
let stdout = "";
let stderr = "";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.runIf(process.env.PERF_TEST !== "0")("pnpm perf --vs-anvil", () => {
  beforeAll(async () => {
    const args = ["--import", "tsx", "perf/index.ts", "--vs-anvil", "--rate", String(RATE)];
    args.push("--duration", String(DURATION_S), "--senders", "6", "--drain", "30", "--out", out, "--json");
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise((r) => child.once("exit", r));
    if (code !== 0) throw new Error(`pnpm perf --vs-anvil exited ${code}:\n${stderr}`);
    result = JSON.parse(stdout) as typeof result;
  }, 180_000);

  afterAll(() => dir.remove());

  it("finds the anvil binary of this platform", () => {
    expect(existsSync(anvilBinary())).toBe(true);
  });

  it("runs the same step on both, every accepted transaction included on each", () => {
    for (const t of [result.fastevm, result.anvil]) {
      expect(t.steps.map((s) => s.rate)).toEqual([RATE]);
      const s = t.steps[0]!;
      expect(s.included).toBe(RATE * DURATION_S);
      expect(s.pending).toBe(0);
      expect(s.reverted).toBe(0);
      expect(s.tps).toBeGreaterThan(0);
    }
    expect(result.fastevm.meta.target).toBe("local devnet, 1 validator");
    expect(result.anvil.meta.target).toMatch(/^anvil\/v\d+\.\d+\.\d+.*--block-time 1/);
  });

  it("prints and writes the ratio of the two measured TPS, with both reports", () => {
    const ratio = result.fastevm.steps[0]!.tps / result.anvil.steps[0]!.tps;
    const table = readFileSync(join(out, "comparison.txt"), "utf8");
    const row = table.split("\n").find((l) => l.trimStart().startsWith(`${RATE} `))!;
    expect(row.trim().split(/\s+/)[3]).toBe(`${ratio.toFixed(2)}×`);
    expect(stderr).toContain(table.trim().split("\n")[0]!);
    const json = JSON.parse(readFileSync(join(out, "comparison.json"), "utf8")) as typeof result;
    expect(json.anvil.steps[0]!.tps).toBe(result.anvil.steps[0]!.tps);
    for (const t of ["fastevm", "anvil"]) expect(existsSync(join(out, t, "report.html"))).toBe(true);
  });

  it("stops the anvil it started", () => {
    const pid = Number(/\(pid (\d+)\)/.exec(stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });
});
