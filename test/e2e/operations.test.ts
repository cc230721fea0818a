/**
 * Operations on real `fastevm node` processes:
 * - an execution node with `--metrics`: /health 200, /ready 503 until a consensus client (here: one
 *   forkchoiceUpdated over the JWT Engine API) is seen, then 200; /metrics counts that call; a taken metrics
 *   port fails start-up; the datadir is 0700 and the generated JWT secret 0600, and a loose secret is
 *   warned about (reliability rows 40–41);
 * - a one-validator devnet node: ready, each imported block and its gas logged at info, the SIGTERM steps
 *   logged in order (stop accepting requests, finish in-flight work, persist, close the database), every
 *   commit executed before it exits, and a restart re-executes nothing (reliability row 8): the execution
 *   head is the one it stopped at, the driver builds no block, none at or below the head is imported again;
 *   consensus keys 0600 in a 0700 directory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { initCommand } from "../../node/cli/commands/init.ts";
import { KEY_FILES } from "../../node/cli/commands/keys.ts";
import { NODE_READY_LINE } from "../../node/cli/commands/node.ts";
import { type DevnetLayout, FASTEVM_BIN, prepareDevnet, validatorArgs } from "../../node/cli/devnetSetup.ts";
import { DEVNET_GENESIS_PATH } from "../../node/core/chain/devnet.ts";
import { hexToBytes } from "../../node/core/hex.ts";
import { EngineHttpClient } from "../../node/rpc/engine/client.ts";
import { devnetTransfer, sendRawTransaction } from "../utils/devnetProcs.ts";
import { startNodeProcess } from "../utils/nodeProcess.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const dir = tempDir("fastevm-ops-");
afterAll(() => dir.remove());

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, text: await r.text() };
}

/** The sample `name{labels}` of a /metrics text, or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** Polls `fn` until it returns a value (not undefined), up to `ms`. */
async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function quietInit(datadir: string): Promise<void> {
  const log = console.log;
  console.log = () => {};
  try {
    expect(await initCommand.run(["--datadir", datadir, DEVNET_GENESIS_PATH])).toBe(0);
  } finally {
    console.log = log;
  }
}

describe("fastevm node --metrics (execution node)", () => {
  const datadir = join(dir.path, "exec");

  it("serves /metrics, /health and /ready; ready once a consensus client is seen", async () => {
    await quietInit(datadir);
    const node = await startNodeProcess(datadir, ["--metrics", "--metrics.port", "0"]);
    try {
      const port = node.metrics!;
      expect(await get(port, "/health")).toEqual({ status: 200, text: '{"status":"ok"}' });
      const notReady = await get(port, "/ready");
      expect(notReady.status).toBe(503);
      expect(JSON.parse(notReady.text)).toMatchObject({ status: "unavailable" });
      const secret = hexToBytes(readFileSync(join(datadir, "jwt.hex"), "utf8").trim());
      const engine = new EngineHttpClient(`http://127.0.0.1:${node.engine}`, secret);
      const head = await engine.call<{ hash: string }>("eth_getBlockByNumber", ["latest", false]);
      const r = await engine.forkchoiceUpdatedV3({
        headBlockHash: head.hash,
        safeBlockHash: head.hash,
        finalizedBlockHash: head.hash,
      });
      expect(r.payloadStatus.status).toBe("VALID");
      expect(await get(port, "/ready")).toEqual({ status: 200, text: '{"status":"ok"}' });
      const m = await get(port, "/metrics");
      expect(m.status).toBe(200);
      expect(sample(m.text, 'fastevm_engine_requests_total{method="forkchoiceUpdated",status="VALID"}')).toBe(
        1,
      );
      expect(sample(m.text, 'fastevm_engine_request_seconds_count{method="forkchoiceUpdated"}')).toBe(1);
      expect(
        sample(
          m.text,
          'fastevm_rpc_requests_total{server="engine",method="engine_forkchoiceUpdatedV3",outcome="ok"}',
        ),
      ).toBe(1);
      expect(sample(m.text, "fastevm_chain_head_number")).toBe(0);
      expect(sample(m.text, 'fastevm_pool_threads{pool="recover"}')).toBe(1);
      expect(sample(m.text, "fastevm_process_resident_memory_bytes")).toBeGreaterThan(0);
      expect((await get(port, "/nope")).status).toBe(404);
      // rows 40–41
      expect(mode(datadir)).toBe("700");
      expect(mode(join(datadir, "jwt.hex"))).toBe("600");
      expect(node.stderr()).not.toContain(readFileSync(join(datadir, "jwt.hex"), "utf8").trim().slice(2));
    } finally {
      await node.stop();
    }
  });

  it("refuses a taken metrics port, and warns about a world-readable JWT secret", async () => {
    const holder: Server = createServer();
    const port = await new Promise<number>((res) =>
      holder.listen(0, "127.0.0.1", () => res((holder.address() as { port: number }).port)),
    );
    chmodSync(join(datadir, "jwt.hex"), 0o644);
    try {
      const err = await startNodeProcess(datadir, ["--metrics", "--metrics.port", String(port)]).then(
        () => undefined,
        (e: { exitCode?: number; stderr?: string }) => e,
      );
      expect(err?.exitCode).toBe(1);
      expect(err?.stderr).toContain("METRICS_SERVER");
      const warned = (err?.stderr ?? "")
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { level: string; msg: string })
        .some((r) => r.level === "warn" && r.msg.includes("mode 0644"));
      expect(warned).toBe(true);
    } finally {
      chmodSync(join(datadir, "jwt.hex"), 0o600);
      await new Promise((r) => holder.close(r));
    }
  });
});

interface LogRecord {
  readonly level: string;
  readonly msg: string;
  readonly [k: string]: unknown;
}

interface Run {
  readonly child: ChildProcess;
  readonly records: LogRecord[];
  readonly stdout: string[];
  readonly exited: Promise<number | null>;
}

function launch(layout: DevnetLayout): Run {
  const child = spawn(process.execPath, [FASTEVM_BIN, ...validatorArgs(layout.validators[0]!)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run: Run = {
    child,
    records: [],
    stdout: [],
    exited: new Promise((res) => child.once("exit", (code) => res(code))),
  };
  const lines = (stream: NodeJS.ReadableStream, each: (l: string) => void) => {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buf += chunk;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      for (const p of parts) each(p);
    });
  };
  lines(child.stdout!, (l) => run.stdout.push(l));
  lines(child.stderr!, (l) => {
    if (l.startsWith("{")) run.records.push(JSON.parse(l) as LogRecord);
  });
  return run;
}

async function stop(run: Run): Promise<number | null> {
  run.child.kill("SIGTERM");
  return run.exited;
}

describe("a validator's operations (one-validator devnet)", () => {
  let layout: DevnetLayout;
  const runs: Run[] = [];
  afterAll(() => {
    for (const r of runs)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
  });

  it("is ready, logs each imported block, stops in order and restarts without re-executing", async () => {
    layout = await prepareDevnet(join(dir.path, "devnet"), 1);
    const v = layout.validators[0]!;
    const first = launch(layout);
    runs.push(first);
    await until("the node to be ready", 60_000, async () =>
      first.stdout.includes(NODE_READY_LINE) ? true : undefined,
    );
    const port = v.metricsPort!;
    await until("/ready", 30_000, async () =>
      (await get(port, "/ready")).status === 200 ? true : undefined,
    );
    for (let nonce = 0n; nonce < 3n; nonce++) {
      const raw = devnetTransfer(0, nonce);
      const res = await sendRawTransaction(`http://127.0.0.1:${v.httpPort}`, raw);
      expect(res.error).toBeUndefined();
    }
    const imported = () => first.records.filter((r) => r.msg === "imported block");
    await until("3 transactions in imported blocks", 60_000, async () =>
      imported().reduce((n, r) => n + Number(r.txs), 0) >= 3 ? true : undefined,
    );
    for (const r of imported()) {
      expect(r.level).toBe("info");
      expect(r.hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(Number(r.gas)).toBe(21_000 * Number(r.txs));
      expect(typeof r.ms).toBe("number");
    }
    const m = (await get(port, "/metrics")).text;
    expect(sample(m, 'fastevm_txpool_added_total{origin="local"}')).toBe(3);
    expect(sample(m, "fastevm_chain_transactions_imported_total")).toBe(3);
    expect(sample(m, "fastevm_chain_blocks_imported_total")).toBe(imported().length);
    expect(sample(m, "fastevm_chain_head_number")).toBe(Math.max(...imported().map((r) => Number(r.block))));
    expect(sample(m, "fastevm_consensus_commit_index")).toBeGreaterThan(0);
    expect(sample(m, "fastevm_consensus_blocks_proposed_total")).toBeGreaterThan(0);
    expect(sample(m, "fastevm_consensus_commit_latency_seconds_count")).toBeGreaterThan(0);
    expect(sample(m, 'fastevm_engine_requests_total{method="newPayload",status="VALID"}')).toBe(
      imported().length,
    );
    expect(sample(m, 'fastevm_chain_stage_seconds_count{stage="persist"}')).toBe(imported().length);

    expect(await stop(first)).toBe(0);
    const steps = first.records.filter((r) => r.msg === "shutdown").map((r) => r.step);
    expect(steps).toEqual([
      "stop accepting requests",
      "finish in-flight work",
      "persist",
      "close the database",
    ]);
    expect(first.records.at(-1)?.msg).toBe("stopped");
    const summaryLine = first.stdout.find((l) => l.startsWith("validator summary "));
    const summary = JSON.parse(summaryLine!.slice(18)) as {
      headNumber: number;
      headHash: string;
      lastCommitIndex: number;
      lastExecutedCommit: number;
    };
    // in-flight work finished: every commit consensus made was executed
    expect(summary.lastExecutedCommit).toBe(summary.lastCommitIndex);

    const second = launch(layout);
    runs.push(second);
    const head = await until("the execution head", 60_000, async () =>
      second.records.find((r) => r.msg === "execution head"),
    );
    expect(Number(head.block)).toBe(summary.headNumber);
    expect(head.hash).toBe(summary.headHash);
    await until("/ready after restart", 30_000, async () =>
      (await get(port, "/ready")).status === 200 ? true : undefined,
    );
    expect(await stop(second)).toBe(0);
    // nothing was built or executed again: no block from the driver, the same head
    const again = JSON.parse(
      second.stdout.find((l) => l.startsWith("validator summary "))!.slice(18),
    ) as typeof summary & { driver: { blocks: number } };
    expect(again.driver.blocks).toBe(0);
    expect(again.headHash).toBe(summary.headHash);
    expect(second.records.some((r) => r.msg === "skipped transaction")).toBe(false);
    const reexecuted = second.records.filter(
      (r) => r.msg === "imported block" && Number(r.block) <= summary.headNumber,
    );
    expect(reexecuted).toEqual([]);
    // rows 40–41 on a validator's files
    expect(mode(v.datadir)).toBe("700");
    expect(mode(join(v.datadir, "jwt.hex"))).toBe("600");
    expect(mode(v.consensusDir)).toBe("700");
    for (const f of [KEY_FILES.protocol, KEY_FILES.network, KEY_FILES.feeRecipient])
      expect(mode(join(v.consensusDir, f))).toBe("600");
  });
});
