/**
 * The Grafana dashboard against real Prometheus (Debian's /usr/bin/prometheus) and a real `fastevm devnet
 * --split` (4 execution + 4 consensus processes on loopback, random ports): Prometheus runs on the scrape
 * configuration the devnet wrote (DATADIR/prometheus.yml, checked equal to node/cli/topology.ts
 * prometheusConfig of its processes, scrape every 1 s), with its own temp storage on an OS-chosen port, transfers go to the execution nodes over
 * eth_sendRawTransaction, and every PromQL expression of the dashboard (node/cli/dashboard.ts) must return a
 * non-empty result through /api/v1/query. It also checks that all 8 targets are up and the transfers were
 * included. Bounded (< 90 s); it stops only the processes it started (the devnet, which stops its own, and
 * Prometheus; leftovers are killed by the PIDs in their datadir LOCK files).
 * Skipped with a message when /usr/bin/prometheus is absent; E2E_PROMETHEUS=0 skips it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dashboardExpressions } from "../../node/cli/dashboard.ts";
import { FASTEVM_BIN, freePort, LAYOUT_FILE } from "../../node/cli/devnetSetup.ts";
import { SPLIT_PROMETHEUS_FILE, type SplitLayout, splitServices } from "../../node/cli/splitDevnet.ts";
import { prometheusConfig } from "../../node/cli/topology.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { LOCK_FILE } from "../../node/storage/datadirLock.ts";
import { devnetTransfer } from "../utils/devnetProcs.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const PROMETHEUS = "/usr/bin/prometheus";
const N = 4;
const SENDERS = 4;
const PER_SENDER = 10;
const dir = tempDir("fastevm-prometheus-");
const children: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns a process; `ready` resolves at the first stdout/stderr line matching, rejects if it exits first. */
function start(
  cmd: string,
  args: string[],
  readyLine: RegExp,
): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let tail = "";
  const ready = new Promise<void>((done, fail) => {
    const on = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-4000);
      if (process.env.DEBUG_E2E === "1") process.stderr.write(chunk);
      if (readyLine.test(tail)) done();
    };
    child.stdout!.on("data", on);
    child.stderr!.on("data", on);
    child.once("exit", (code, signal) =>
      fail(new Error(`${cmd} ${args[0]} exited ${code ?? signal} before it was ready:\n${tail}`)),
    );
  });
  return { child, ready };
}

async function stop(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), ms);
  await exited;
  clearTimeout(t);
}

async function rpc<T>(url: string, method: string, params: unknown[]): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function query(base: string, expr: string): Promise<unknown[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data!.result;
}

let layout: SplitLayout | undefined;

describe.skipIf(process.env.E2E_PROMETHEUS === "0")(
  "the Grafana dashboard on Prometheus over a --split devnet",
  () => {
    afterAll(async () => {
      for (const c of [...children].reverse()) await stop(c, 25_000);
      // a process the devnet could not stop: by the PID in its datadir's lock, if it still runs there
      for (const p of layout?.pairs ?? [])
        for (const d of [p.executionDatadir, p.consensusDatadir]) {
          const lock = join(d, LOCK_FILE);
          if (!existsSync(lock)) continue;
          const pid = Number(readFileSync(lock, "utf8").trim());
          try {
            if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(d)) process.kill(pid, "SIGKILL");
          } catch {}
        }
      dir.remove();
    });

    it.skipIf(!existsSync(PROMETHEUS))(
      `every dashboard expression returns data${existsSync(PROMETHEUS) ? "" : ` (skipped: ${PROMETHEUS} is not installed)`}`,
      async () => {
        const deadline = Date.now() + 80_000;
        const root = join(dir.path, "devnet");
        const devnet = start(
          process.execPath,
          [
            FASTEVM_BIN,
            "devnet",
            "--split",
            "--validators",
            String(N),
            "--datadir",
            root,
            "--http.port",
            "0",
          ],
          /running; Ctrl-C to stop/,
        );
        await devnet.ready;
        layout = JSON.parse(readFileSync(join(root, LAYOUT_FILE), "utf8")) as SplitLayout;
        const services = splitServices(layout);
        expect(services).toHaveLength(2 * N);

        // the devnet's own scrape configuration: the cluster description's, for these processes, every 1 s
        const config = join(root, SPLIT_PROMETHEUS_FILE);
        expect(readFileSync(config, "utf8")).toBe(prometheusConfig(services, { scrapeInterval: "1s" }));
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const prom = start(
          PROMETHEUS,
          [
            `--config.file=${config}`,
            `--storage.tsdb.path=${join(dir.path, "tsdb")}`,
            `--web.listen-address=127.0.0.1:${port}`,
            "--log.level=warn",
          ],
          /./,
        );
        void prom.ready.catch(() => {});
        for (;;) {
          if (prom.child.exitCode !== null) await prom.ready;
          try {
            if ((await fetch(`${base}/-/ready`)).ok) break;
          } catch {}
          if (Date.now() > deadline) throw new Error("Prometheus did not become ready");
          await sleep(200);
        }

        // transfers spread over the execution nodes' public JSON-RPC
        const rpcs = layout.nodes.filter((n) => n.rpc !== undefined).map((n) => n.rpc!);
        expect(rpcs).toHaveLength(N);
        for (let k = 0; k < PER_SENDER; k++)
          for (let s = 0; s < SENDERS; s++)
            await rpc(rpcs[(s + k) % N]!, "eth_sendRawTransaction", [
              bytesToHex(devnetTransfer(s, BigInt(k))),
            ]);
        // all included: the last nonce of every sender is used on node 0
        for (;;) {
          const nonces = await Promise.all(
            layout.accounts
              .slice(0, SENDERS)
              .map((a) => rpc<string>(rpcs[0]!, "eth_getTransactionCount", [a.address, "latest"])),
          );
          if (nonces.every((n) => Number(n) === PER_SENDER)) break;
          if (Date.now() > deadline) throw new Error(`transfers not included: nonces ${nonces.join(",")}`);
          await sleep(250);
        }

        // Prometheus's first scrape of each target comes up to one interval after it is ready, which can be
        // after the transfers are in: wait for it rather than read `up` once
        let up = await query(base, "up == 1");
        while (up.length === 0 && Date.now() < deadline) {
          await sleep(250);
          up = await query(base, "up == 1");
        }
        expect(up.length).toBeGreaterThan(0);
        // every expression returns data once a few scrapes after the load are in
        const exprs = dashboardExpressions();
        let empty: string[] = exprs;
        while (empty.length > 0) {
          empty = [];
          for (const e of exprs) if ((await query(base, e)).length === 0) empty.push(e);
          if (empty.length === 0 || Date.now() > deadline) break;
          await sleep(1000);
        }
        expect(empty).toEqual([]);
        expect(await query(base, "up == 1")).toHaveLength(2 * N);
        // the last block's import may land after Prometheus's latest scrape (every 1 s): wait for the next ones
        let imported = 0;
        for (;;) {
          const txs = (await query(
            base,
            'max(fastevm_chain_transactions_imported_total{role="execution"})',
          )) as { value: [number, string] }[];
          imported = Number(txs[0]?.value[1] ?? 0);
          if (imported >= SENDERS * PER_SENDER || Date.now() > deadline) break;
          await sleep(500);
        }
        expect(imported).toBe(SENDERS * PER_SENDER);
      },
      90_000,
    );
  },
);
