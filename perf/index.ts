/**
 * `pnpm perf`: a load test against running nodes over JSON-RPC (options: args.ts; README.md "Load test").
 * Without --rpc or --devnet it starts a local devnet for the run and stops it after (only the processes it
 * started). Progress goes to stderr; the tables to stdout, or to stderr when --json puts the summary on
 * stdout. Exit 0 after a complete run, 1 on an error, 2 on a usage error.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { devnetAccounts } from "../node/cli/devnetSetup.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../node/core/errors.ts";
import { hexToBytes } from "../node/core/hex.ts";
import { ANVIL_GAS_LIMIT, startAnvil } from "./anvil.ts";
import { type PerfArgs, parsePerfArgs, USAGE } from "./args.ts";
import { readDevnet, startLocalDevnet, type Target } from "./devnet.ts";
import { LoadRun } from "./load.ts";
import { MemorySampler, memoryLine, type NodeMemory } from "./memory.ts";
import { comparisonTable, summaryTable, writeReport } from "./report.ts";
import { RpcClient } from "./rpc.ts";
import { deployToken, fundSenders, makeSenders } from "./setup.ts";
import type { StepSummary } from "./stats.ts";

function timestamp(): string {
  return new Date().toISOString().replaceAll(":", "-").replace(/\..*$/, "");
}

type Progress = (line: string, final: boolean) => void;

/** What a signal must stop: the load run and the nodes this process started. */
interface Active {
  run?: LoadRun | undefined;
  stopNodes?: (() => Promise<void>) | undefined;
  dir?: string | undefined;
}

async function release(active: Active): Promise<void> {
  await active.run?.close();
  active.run = undefined;
  await active.stopNodes?.();
  active.stopNodes = undefined;
  if (active.dir !== undefined) rmSync(active.dir, { recursive: true, force: true });
  active.dir = undefined;
}

interface TargetResult {
  readonly meta: Record<string, string>;
  readonly steps: StepSummary[];
  readonly out: string;
  readonly memory: NodeMemory[];
}

/** Funds the senders on `target`, runs every rate step against it and writes its report into `out`. */
async function loadTarget(
  args: PerfArgs,
  target: Target,
  source: string,
  out: string,
  progress: Progress,
  active: Active,
): Promise<TargetResult> {
  const rpcUrls = target.nodes.map((n) => n.rpc);
  const wsUrl = args.rpc !== undefined ? args.ws : target.nodes.find((n) => n.ws !== undefined)?.ws;
  const reader = new RpcClient(rpcUrls[0]!);
  const chainId = BigInt(await reader.call<string>("eth_chainId"));
  const funders =
    args.key !== undefined ? [hexToBytes(args.key)] : target.accounts.map((a) => hexToBytes(a.privateKey));
  if (funders.length === 0)
    throw new FastEvmError(ErrorCode.CLI_USAGE, "no funded account to fund the senders from: pass --key HEX");

  const senders = makeSenders(args.senders);
  const setupStart = Date.now();
  const funded = await fundSenders(reader, chainId, funders, senders);
  const token =
    args.scenario === "transfer" ? undefined : await deployToken(reader, chainId, funders[0]!, senders);
  progress(
    `setup: ${senders.length} senders (${funded} funded now)${token === undefined ? "" : ", token deployed"} in ${Date.now() - setupStart} ms; ${rpcUrls.length} nodes, heads ${wsUrl ?? "polled"}`,
    true,
  );

  const run = await LoadRun.start(rpcUrls, wsUrl, senders, {
    chainId,
    scenario: args.scenario,
    inflight: args.inflight,
    batch: args.batch,
    drainS: args.drain,
    ...(token === undefined ? {} : { token }),
    progress,
  });
  active.run = run;
  const sampler = new MemorySampler(target.nodes);
  let memory: NodeMemory[];
  try {
    for (const rate of args.rates) {
      await run.step(rate, args.duration);
      if (run.headError !== undefined) throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, run.headError);
    }
  } finally {
    memory = sampler.stop();
  }
  const meta = {
    target: source,
    nodes: String(rpcUrls.length),
    scenario: args.scenario,
    senders: String(senders.length),
    "in flight per sender": String(args.inflight),
    "requests per batch, at most": String(args.batch),
    "duration per step (s)": String(args.duration),
    started: new Date(run.startedMs).toISOString(),
    "RSS max/last per node (MB)": memoryLine(memory),
  };
  await writeReport(out, run.summaries, run.txs, run.blocks, run.startedMs, meta);
  await run.close();
  active.run = undefined;
  return { meta, steps: run.summaries, out, memory };
}

/** A devnet of `validators` started in a temporary directory for the run. */
async function localDevnet(validators: number, progress: Progress, active: Active): Promise<Target> {
  active.dir = mkdtempSync(join(tmpdir(), "fastevm-perf-devnet-"));
  progress(`starting a local devnet of ${validators} validators in ${active.dir}`, true);
  const devnet = await startLocalDevnet(active.dir, validators);
  active.stopNodes = () => devnet.stop();
  return devnet.target;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parsePerfArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const say = (line: string) => (args.json ? console.error(line) : console.log(line));
  let lastProgress = 0;
  const progress: Progress = (line, final) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    } else if (final || Date.now() - lastProgress >= 5000) {
      lastProgress = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };

  const active: Active = {};
  const onSignal = (): void => {
    void release(active).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const out = resolve(args.out ?? join("perf-results", timestamp()));
  try {
    if (args.vsAnvil) {
      // the same steps against a local devnet, then against anvil, one after the other (not sharing the CPU)
      const source = `local devnet, ${args.validators} validator${args.validators === 1 ? "" : "s"}`;
      const fastevm = await loadTarget(
        args,
        await localDevnet(args.validators, progress, active),
        source,
        join(out, "fastevm"),
        progress,
        active,
      );
      await release(active);
      // printed now: a peer that fails under the load must not take this table with it
      say(`fastevm (${source})\n${summaryTable(fastevm.steps)}`);
      say(`RSS max/last per node (MB): ${memoryLine(fastevm.memory)}\n`);
      const comparisonFile = join(out, "comparison.json");
      /** comparison.json: our steps beside anvil's side (its steps, or why it has none) */
      const writeComparison = (anvilSide: unknown): void =>
        writeFileSync(
          comparisonFile,
          `${JSON.stringify({ fastevm: { meta: fastevm.meta, steps: fastevm.steps }, anvil: anvilSide }, null, 2)}\n`,
        );
      progress("starting anvil (1 s blocks)", true);
      const anvil = await startAnvil();
      active.stopNodes = () => anvil.stop();
      progress(`${anvil.version} serving ${anvil.target.nodes[0]!.rpc} (pid ${anvil.pid})`, true);
      let peer: Awaited<ReturnType<typeof loadTarget>>;
      try {
        peer = await loadTarget(
          args,
          anvil.target,
          `${anvil.version}, --block-time 1 --gas-limit ${ANVIL_GAS_LIMIT}`,
          join(out, "anvil"),
          progress,
          active,
        );
      } catch (e) {
        // the peer's failure is a result too: recorded beside our figures, and the run exits 1
        const error = isFastEvmError(e) ? `[${e.code}] ${e.message}` : String(e);
        writeComparison({ version: anvil.version, error });
        say(`anvil (${anvil.version}) did not complete the steps: ${error}`);
        say(`reports: ${join(out, "fastevm", "report.html")}; ${comparisonFile}`);
        if (args.json)
          console.log(JSON.stringify({ out, fastevm, anvil: { version: anvil.version, error } }, null, 2));
        return 1;
      }
      await release(active);
      const compared = comparisonTable(
        { name: "fastevm", steps: fastevm.steps },
        { name: "anvil", steps: peer.steps },
      );
      writeComparison({ meta: peer.meta, steps: peer.steps });
      writeFileSync(join(out, "comparison.txt"), `${compared}\n`);
      say(`anvil\n${summaryTable(peer.steps)}\n`);
      say(compared);
      say(
        `reports: ${join(out, "fastevm", "report.html")}, ${join(out, "anvil", "report.html")}; ${comparisonFile}`,
      );
      if (args.json) console.log(JSON.stringify({ out, fastevm, anvil: peer }, null, 2));
      return 0;
    }
    let target: Target;
    let source: string;
    if (args.rpc !== undefined) {
      target = { nodes: args.rpc.map((rpc, i) => ({ name: `node-${i}`, rpc })), accounts: devnetAccounts() };
      source = `--rpc ${args.rpc.join(",")}`;
    } else if (args.devnet !== undefined) {
      target = readDevnet(args.devnet);
      source = `--devnet ${resolve(args.devnet)}`;
    } else {
      target = await localDevnet(args.validators, progress, active);
      source = `local devnet, ${args.validators} validators`;
    }
    const result = await loadTarget(args, target, source, out, progress, active);
    say(summaryTable(result.steps));
    say(`RSS max/last per node (MB): ${memoryLine(result.memory)}`);
    say(`report: ${join(out, "report.html")} (chart.svg, transactions.csv, blocks.csv, summary.json)`);
    if (args.json)
      console.log(
        JSON.stringify({ meta: result.meta, out, steps: result.steps, memory: result.memory }, null, 2),
      );
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await release(active);
  }
}

main(process.argv.slice(2)).then(
  (rc) => process.exit(rc),
  (e: unknown) => {
    const usage = e instanceof FastEvmError && e.code === ErrorCode.CLI_USAGE;
    console.error(e instanceof FastEvmError ? `[${e.code}] ${e.message}` : e);
    process.exit(usage ? 2 : 1);
  },
);
