/**
 * `pnpm perf` end to end: a 1-validator devnet started here, a short mixed (transfer + ERC-20) run of two
 * rate steps against it through `--devnet` (the tool as a process, as `pnpm perf` runs it), then:
 * - the report's included counts equal an independent count taken from the blocks (eth_getBlockByNumber
 *   with full transactions: every transaction not sent by a dev account, i.e. not setup), and the hashes of
 *   transactions.csv marked included are exactly those transactions, in the blocks the CSV names;
 * - every accepted transaction was included, none reverted, and the summary's arithmetic holds;
 * - chart.svg and report.html exist and are well-formed (balanced tags), the chart has its three panels
 *   and the report its summary rows and the chart.
 * PERF_TEST=0 skips it.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetAccounts } from "../../node/cli/devnetSetup.ts";
import { type LocalDevnet, startLocalDevnet } from "../../perf/devnet.ts";
import type { NodeMemory } from "../../perf/memory.ts";
import { RpcClient } from "../../perf/rpc.ts";
import type { StepSummary } from "../../perf/stats.ts";
import { REPO_ROOT } from "../utils/fixtures.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const RATES = [20, 40];
const DURATION_S = 5;
const dir = tempDir("fastevm-perf-test-");
const out = join(dir.path, "out");
let devnet: LocalDevnet;
let report: { out: string; steps: StepSummary[]; memory: NodeMemory[] };
let stderr = "";

/** Checks that every tag is closed in order (void HTML elements, `<!…>`, `<?…>` and `<… />` excepted). */
function unbalancedTags(doc: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const m of doc.matchAll(/<([^>]*)>/g)) {
    const t = m[1]!;
    if (t.startsWith("!") || t.startsWith("?") || t.endsWith("/")) continue;
    const name = /^\/?\s*([A-Za-z][\w:-]*)/.exec(t)?.[1]?.toLowerCase();
    if (name === undefined) {
      problems.push(`bad tag <${t}>`);
      continue;
    }
    if (["meta", "br", "img", "link", "input", "hr"].includes(name)) continue;
    if (!t.startsWith("/")) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> closes the wrong element`);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(",")}`);
  return problems;
}

const enabled = process.env.PERF_TEST !== "0";

describe.runIf(enabled)("pnpm perf against a 1-validator devnet", () => {
  beforeAll(async () => {
    devnet = await startLocalDevnet(join(dir.path, "devnet"), 1);
    const args = [
      "--import",
      "tsx",
      "perf/index.ts",
      "--devnet",
      devnet.root,
      "--rates",
      RATES.join(","),
      "--duration",
      String(DURATION_S),
      "--senders",
      "6",
      "--scenario",
      "mixed",
      "--drain",
      "30",
      "--out",
      out,
      "--json",
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise((r) => child.once("exit", r));
    if (code !== 0) throw new Error(`pnpm perf exited ${code}:\n${stderr}`);
    report = JSON.parse(stdout) as typeof report;
  }, 180_000);

  afterAll(async () => {
    await devnet?.stop();
    dir.remove();
  });

  it("reports one step per rate, every transaction sent, accepted and included, none reverted", () => {
    expect(report.steps.map((s) => s.rate)).toEqual(RATES);
    for (const s of report.steps) {
      expect(s.offered).toBeGreaterThanOrEqual(s.rate * DURATION_S);
      expect(s.offered).toBe(s.accepted + s.refused);
      expect(s.included).toBe(s.rate * DURATION_S);
      expect(s.pending).toBe(0);
      expect(s.reverted).toBe(0);
      expect(s.tps).toBeGreaterThan(0);
      expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p90);
      expect(s.latencyMs.p99).toBeLessThanOrEqual(s.latencyMs.max);
    }
    expect(stderr).toMatch(/sent \d+ {2}included \d+ {2}pending \d+ {2}TPS \d+ {2}p50/);
  });

  it("matches an independent count of the included transactions taken from the blocks", async () => {
    const rpc = new RpcClient(devnet.target.nodes[0]!.rpc);
    const setup = new Set(devnetAccounts().map((a) => a.address.toLowerCase()));
    const head = Number(await rpc.call<string>("eth_blockNumber"));
    const fromBlocks = new Map<string, number>();
    for (let n = 1; n <= head; n++) {
      const b = await rpc.call<{ transactions: { hash: string; from: string }[] }>("eth_getBlockByNumber", [
        `0x${n.toString(16)}`,
        true,
      ]);
      for (const t of b.transactions) if (!setup.has(t.from.toLowerCase())) fromBlocks.set(t.hash, n);
    }
    const included = report.steps.reduce((a, s) => a + s.included, 0);
    expect(fromBlocks.size).toBe(included);

    const [header, ...rows] = readFileSync(join(out, "transactions.csv"), "utf8").trim().split("\n");
    const cols = header!.split(",");
    const hashCol = cols.indexOf("hash");
    const blockCol = cols.indexOf("block");
    const csvIncluded = new Map(
      rows
        .map((r) => r.split(","))
        .filter((c) => c[blockCol] !== "")
        .map((c) => [c[hashCol]!, Number(c[blockCol])]),
    );
    expect(rows.length).toBe(RATES.reduce((a, r) => a + r * DURATION_S, 0));
    // a transaction is seen included after it was sent
    const latencyCol = cols.indexOf("latency_ms");
    expect(rows.filter((r) => !(Number(r.split(",")[latencyCol]) > 0))).toEqual([]);
    expect(csvIncluded).toEqual(fromBlocks);
    const blockRows = readFileSync(join(out, "blocks.csv"), "utf8").trim().split("\n").slice(1);
    const ours = blockRows.reduce((a, r) => a + Number(r.split(",")[5]), 0);
    expect(ours).toBe(included);
  });

  it("samples the validator's resident memory from its metrics endpoint through the run", () => {
    expect(report.memory.map((m) => m.name)).toEqual(["validator-0"]);
    const m = report.memory[0]!;
    // one sample a second over the steps (a few may miss while the node is busy)
    expect(m.samples).toBeGreaterThanOrEqual(Math.floor((RATES.length * DURATION_S) / 2));
    expect(m.maxMb).toBeGreaterThanOrEqual(m.lastMb);
    expect(m.lastMb).toBeGreaterThan(40); // a Node process with LMDB, WASM and worker pools
    expect(m.maxMb).toBeLessThan(4000);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("RSS max/last per node (MB)");
    expect(html).toContain(`validator-0 ${Math.round(m.maxMb)}/${Math.round(m.lastMb)}`);
  });

  it("writes a well-formed SVG chart and an HTML report holding the tables and the chart", () => {
    const svg = readFileSync(join(out, "chart.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(unbalancedTags(svg)).toEqual([]);
    for (const title of ["included tx/s", "inclusion latency (ms)", "time to inclusion (ms)"])
      expect(svg).toContain(title);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(unbalancedTags(html)).toEqual([]);
    expect(html).toContain(svg);
    for (const s of report.steps) expect(html).toContain(`<td>${s.rate}</td><td>${s.offered}</td>`);
  });
});
