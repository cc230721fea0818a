/**
 * `pnpm perf`: a load test against running nodes over JSON-RPC (options: args.ts; README.md "Load test").
 * Without --rpc or --devnet it starts a local devnet for the run and stops it after (only the processes it
 * started). Progress goes to stderr; the tables to stdout, or to stderr when --json puts the summary on
 * stdout. Exit 0 after a complete run, 1 on an error, 2 on a usage error.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { devnetAccounts } from "../node/cli/devnetSetup.ts";
import { ErrorCode, FastEvmError } from "../node/core/errors.ts";
import { hexToBytes } from "../node/core/hex.ts";
import { parsePerfArgs, USAGE } from "./args.ts";
import { type LocalDevnet, readDevnet, startLocalDevnet, type Target } from "./devnet.ts";
import { LoadRun } from "./load.ts";
import { summaryTable, writeReport } from "./report.ts";
import { RpcClient } from "./rpc.ts";
import { deployToken, fundSenders, makeSenders } from "./setup.ts";

function timestamp(): string {
  return new Date().toISOString().replaceAll(":", "-").replace(/\..*$/, "");
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parsePerfArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const say = (line: string) => (args.json ? console.error(line) : console.log(line));
  let lastProgress = 0;
  const progress = (line: string, final: boolean): void => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    } else if (final || Date.now() - lastProgress >= 5000) {
      lastProgress = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };

  let devnet: LocalDevnet | undefined;
  let devnetDir: string | undefined;
  let run: LoadRun | undefined;
  const cleanup = async (): Promise<void> => {
    const c0 = Date.now();
    await run?.close();
    run = undefined;
    const c1 = Date.now();
    await devnet?.stop();
    if (process.env.PERF_DEBUG) console.error(`cleanup: run ${c1 - c0} ms, devnet ${Date.now() - c1} ms`);
    devnet = undefined;
    if (devnetDir !== undefined) rmSync(devnetDir, { recursive: true, force: true });
    devnetDir = undefined;
  };
  const onSignal = (): void => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    let target: Target;
    let source: string;
    if (args.rpc !== undefined) {
      target = { nodes: args.rpc.map((rpc, i) => ({ name: `node-${i}`, rpc })), accounts: devnetAccounts() };
      source = `--rpc ${args.rpc.join(",")}`;
    } else if (args.devnet !== undefined) {
      target = readDevnet(args.devnet);
      source = `--devnet ${resolve(args.devnet)}`;
    } else {
      devnetDir = mkdtempSync(join(tmpdir(), "fastevm-perf-devnet-"));
      progress(`starting a local devnet of ${args.validators} validators in ${devnetDir}`, true);
      devnet = await startLocalDevnet(devnetDir, args.validators);
      target = devnet.target;
      source = `local devnet, ${args.validators} validators`;
    }
    const rpcUrls = target.nodes.map((n) => n.rpc);
    const wsUrl = args.rpc !== undefined ? args.ws : target.nodes.find((n) => n.ws !== undefined)?.ws;
    const reader = new RpcClient(rpcUrls[0]!);
    const chainId = BigInt(await reader.call<string>("eth_chainId"));
    const funders =
      args.key !== undefined ? [hexToBytes(args.key)] : target.accounts.map((a) => hexToBytes(a.privateKey));
    if (funders.length === 0)
      throw new FastEvmError(
        ErrorCode.CLI_USAGE,
        "no funded account to fund the senders from: pass --key HEX",
      );

    const senders = makeSenders(args.senders);
    const setupStart = Date.now();
    const funded = await fundSenders(reader, chainId, funders, senders);
    const token =
      args.scenario === "transfer" ? undefined : await deployToken(reader, chainId, funders[0]!, senders);
    progress(
      `setup: ${senders.length} senders (${funded} funded now)${token === undefined ? "" : ", token deployed"} in ${Date.now() - setupStart} ms; ${rpcUrls.length} nodes, heads ${wsUrl ?? "polled"}`,
      true,
    );

    run = await LoadRun.start(rpcUrls, wsUrl, senders, {
      chainId,
      scenario: args.scenario,
      inflight: args.inflight,
      drainS: args.drain,
      ...(token === undefined ? {} : { token }),
      progress,
    });
    for (const rate of args.rates) {
      await run.step(rate, args.duration);
      if (run.headError !== undefined) throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, run.headError);
    }
    const meta = {
      target: source,
      nodes: String(rpcUrls.length),
      scenario: args.scenario,
      senders: String(senders.length),
      "in flight per sender": String(args.inflight),
      "duration per step (s)": String(args.duration),
      started: new Date(run.startedMs).toISOString(),
    };
    const out = resolve(args.out ?? join("perf-results", timestamp()));
    await writeReport(out, run.summaries, run.txs, run.blocks, run.startedMs, meta);
    say(summaryTable(run.summaries));
    say(`report: ${join(out, "report.html")} (chart.svg, transactions.csv, blocks.csv, summary.json)`);
    if (args.json) console.log(JSON.stringify({ meta, out, steps: run.summaries }, null, 2));
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
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
