/**
 * Public JSON-RPC round trips against a real `fastevm node --http` child process, on uWebSockets.js and on
 * the node:http fallback (UWS_USE_FALLBACK=1) in the same run, over one keep-alive HTTP connection:
 * eth_blockNumber, and eth_getLogs over 1,000 blocks (2 token transfers each: 2,000 logs per answer). The
 * chain is generated once (chainGenerator) into a datadir both servers open in turn. eth_getBalance and
 * eth_call come with the state methods. BENCH_RPC_CALLS / BENCH_RPC_LOGS set the counts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_TOKEN_ADDRESS, generateChain } from "../../node/chain/chainGenerator.ts";
import { startChainPools } from "../../node/cli/chainWorkers.ts";
import { killLeft, printRows, type Row, row, stopChild } from "./rows.ts";

const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
const BLOCKS = 1000;
const CALLS = Number(process.env.BENCH_RPC_CALLS ?? 5000);
const LOG_CALLS = Number(process.env.BENCH_RPC_LOGS ?? 40);
const WARMUP = 20;

export interface Node {
  readonly child: ChildProcess;
  readonly port: number;
}

/** `fastevm node --http` on `datadir`, on uWebSockets.js or (fallback) node:http; resolves with its HTTP port. */
export async function startNode(datadir: string, fallback: boolean): Promise<Node> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "node/cli/main.ts",
      "node",
      "--datadir",
      datadir,
      "--authrpc.port",
      "0",
      "--http",
      "--http.port",
      "0",
    ],
    {
      cwd: REPO,
      stdio: ["ignore", "pipe", "ignore"],
      env: { ...process.env, UWS_USE_FALLBACK: fallback ? "1" : "0" },
    },
  );
  const port = await new Promise<number>((res, rej) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /http rpc listening on [\d.]+:(\d+)/.exec(out);
      if (m !== null) res(Number(m[1]));
    });
    child.once("exit", (c) => rej(new Error(`node exited with ${c}`)));
  });
  return { child, port };
}

/** Sequential POSTs over one keep-alive connection. */
function client(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return (body: string) =>
    new Promise<string>((res, rej) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/",
          agent,
          headers: { "content-type": "application/json" },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => res(Buffer.concat(chunks).toString()));
        },
      );
      req.on("error", rej);
      req.end(body);
    });
}

async function measure(
  server: string,
  call: string,
  post: (b: string) => Promise<string>,
  body: string,
  n: number,
  check: (r: string) => void,
): Promise<Row> {
  for (let i = 0; i < WARMUP; i++) check(await post(body));
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    check(await post(body));
    lat.push(performance.now() - t);
  }
  return row(server, call, lat, performance.now() - t0);
}

export async function runPublicRpcBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "fastevm-rpc-bench-"));
  const datadir = join(dir, "datadir");
  const nodes: Node[] = [];
  try {
    const pools = startChainPools();
    try {
      await generateChain({ blocks: BLOCKS, txsPerBlock: 2, kind: "token", datadir }, pools);
    } finally {
      await pools.close();
    }
    const rows: Row[] = [];
    const blockNumber = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] });
    const getLogs = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_getLogs",
      params: [{ fromBlock: "0x1", toBlock: `0x${BLOCKS.toString(16)}`, address: DEV_TOKEN_ADDRESS }],
    });
    for (const [name, fallback] of [
      ["uWebSockets.js", false],
      ["node:http (fallback)", true],
    ] as const) {
      const n = await startNode(datadir, fallback);
      nodes.push(n);
      const post = client(n.port);
      rows.push(
        await measure(name, "eth_blockNumber", post, blockNumber, CALLS, (r) => {
          if (!r.includes(`"0x${BLOCKS.toString(16)}"`)) throw new Error(r.slice(0, 200));
        }),
      );
      rows.push(
        await measure(
          name,
          `eth_getLogs (${BLOCKS} blocks, ${2 * BLOCKS} logs)`,
          post,
          getLogs,
          LOG_CALLS,
          (r) => {
            const logs = (JSON.parse(r) as { result?: unknown[] }).result;
            if (logs?.length !== 2 * BLOCKS) throw new Error(r.slice(0, 200));
          },
        ),
      );
      await stopChild(n.child);
    }
    printRows(rows, "requests/s", 3);
  } finally {
    killLeft(nodes.map((n) => n.child));
    rmSync(dir, { recursive: true, force: true });
  }
}
