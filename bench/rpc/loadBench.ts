/**
 * The public JSON-RPC server under concurrent load: a real `fastevm node --http` child process on
 * uWebSockets.js and then on its node:http fallback (UWS_USE_FALLBACK=1: the same dispatcher and method
 * handlers, only the HTTP server differs), each driven by N concurrent keep-alive HTTP/1.1 connections in
 * a closed loop (each sends its next request when the answer arrives). Calls: eth_getBalance at the head
 * (flat state) and eth_call of an ERC-20 `balanceOf` at the head (WASM EVM in the node's execute pool), on
 * the `rpcstate` suite's genesis. Both nodes run side by side (the idle one waits) and the measurements
 * alternate between them in BENCH_RPC_ROUNDS rounds (default 2; the order flips each round), so a burst of
 * load from elsewhere on the machine does not land on one server only. Requests/s over the windows and
 * p50/p99 latency, pooled over the rounds; ratios uWS / node:http.
 * The clients are raw sockets with a pre-encoded request (a node:http client would cost more CPU than the
 * server it measures); every answer must be the checked first answer, byte for byte.
 * BENCH_RPC_CLIENTS (default 16) sets N, BENCH_RPC_LOAD_MS (default 2500) the window per round.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bigintToFixedBytes } from "../../node/core/bytes.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { printComparison } from "../compare.ts";
import { type Node, startNode } from "./publicBench.ts";
import { killLeft, printRows, type Row, row, stopChild } from "./rows.ts";
import { ERC20, TOKENS, writeBalanceOfGenesis } from "./stateBench.ts";

const CLIENTS = Number(process.env.BENCH_RPC_CLIENTS ?? 16);
const WINDOW_MS = Number(process.env.BENCH_RPC_LOAD_MS ?? 2500);
const WARMUP_MS = Math.min(500, WINDOW_MS);
const ROUNDS = Number(process.env.BENCH_RPC_ROUNDS ?? 2);

const HEADER_END = Buffer.from("\r\n\r\n");

/** One keep-alive HTTP/1.1 connection, one request in flight; answers are read by Content-Length. */
class Connection {
  #buf: Buffer = Buffer.alloc(0);
  #waiting: { ok: (body: string) => void; fail: (e: Error) => void } | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (d: Buffer) => {
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#parse();
    });
    socket.on("error", (e) => this.#fail(e));
    socket.on("close", () => this.#fail(new Error("connection closed by the server")));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((ok, fail) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.off("error", fail);
        ok(new Connection(s));
      });
      s.once("error", fail);
    });
  }

  post(request: Buffer): Promise<string> {
    return new Promise((ok, fail) => {
      this.#waiting = { ok, fail };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.destroy();
  }

  #fail(e: Error): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.fail(e);
  }

  #parse(): void {
    const end = this.#buf.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.#buf.subarray(0, end).toString("latin1");
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!head.startsWith("HTTP/1.1 200") || m === null) {
      this.#fail(new Error(`unexpected answer: ${head.slice(0, 200)}`));
      return;
    }
    const total = end + 4 + Number(m[1]);
    if (this.#buf.length < total) return;
    const body = this.#buf.subarray(end + 4, total).toString("utf8");
    this.#buf = this.#buf.subarray(total);
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.ok(body);
  }
}

function httpPost(port: number, body: string): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(
      `POST / HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\n\r\n`,
    ),
    b,
  ]);
}

/**
 * CLIENTS connections in a closed loop for WARMUP_MS, then WINDOW_MS measured: the requests completed in the
 * window: their latencies. The first answer is checked against `expected`; every later one must equal it.
 */
async function load(
  server: string,
  call: string,
  port: number,
  body: string,
  expected: string,
): Promise<number[]> {
  const request = httpPost(port, body);
  const conns = await Promise.all(Array.from({ length: CLIENTS }, () => Connection.open(port)));
  try {
    const first = await conns[0]!.post(request);
    const result = (JSON.parse(first) as { result?: unknown }).result;
    if (result !== expected)
      throw new Error(`${call} on ${server}: unexpected answer ${first.slice(0, 300)}`);
    const lat: number[] = [];
    const t0 = performance.now();
    const start = t0 + WARMUP_MS;
    const stop = start + WINDOW_MS;
    await Promise.all(
      conns.map(async (c) => {
        for (;;) {
          const t = performance.now();
          if (t >= stop) return;
          const answer = await c.post(request);
          if (answer !== first)
            throw new Error(`${call} on ${server}: answer changed: ${answer.slice(0, 300)}`);
          const done = performance.now();
          if (t >= start && done <= stop) lat.push(done - t);
        }
      }),
    );
    return lat;
  } finally {
    for (const c of conns) c.close();
  }
}

export async function runRpcLoadBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "fastevm-rpcload-bench-"));
  const nodes: Node[] = [];
  try {
    // one datadir per node (a datadir is locked by the node that opens it), the same genesis in both
    const datadirs = [join(dir, "datadir-0"), join(dir, "datadir-1")];
    let holder = "";
    for (const d of datadirs) {
      const storage = openStorage(d, { noSync: true });
      try {
        holder = bytesToHex((await writeBalanceOfGenesis(storage))[3]!);
      } finally {
        await storage.close();
      }
    }
    const req = (method: string, params: unknown[]) =>
      JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const calls: [string, string, string][] = [
      ["eth_getBalance (head)", req("eth_getBalance", [holder, "latest"]), `0x${(10n ** 24n).toString(16)}`],
      [
        "eth_call balanceOf (head)",
        req("eth_call", [{ to: ERC20, input: `0x70a08231${holder.slice(2).padStart(64, "0")}` }, "latest"]),
        bytesToHex(bigintToFixedBytes(TOKENS, 32)),
      ],
    ];
    const servers = [
      ["uWebSockets.js", false],
      ["node:http (fallback)", true],
    ] as const;
    const running = new Map<string, Node>();
    for (const [i, [name, fallback]] of servers.entries()) {
      const n = await startNode(datadirs[i]!, fallback);
      nodes.push(n);
      running.set(name, n);
    }
    const lat = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const [call, body, expected] of calls)
        for (const [name] of order) {
          const key = `${name}\n${call}`;
          const got = await load(name, call, running.get(name)!.port, body, expected);
          lat.set(key, [...(lat.get(key) ?? []), ...got]);
        }
    }
    for (const n of nodes) await stopChild(n.child);
    const rows: Row[] = servers.flatMap(([name]) =>
      calls.map(([call]) => row(name, call, lat.get(`${name}\n${call}`)!, WINDOW_MS * ROUNDS)),
    );
    console.log(
      `\n${CLIENTS} concurrent keep-alive connections, ${ROUNDS} rounds of ${WINDOW_MS} ms per figure (each after ${WARMUP_MS} ms warm-up), alternating servers\n`,
    );
    printRows(rows, "requests/s", 3);
    for (const [call] of calls) {
      const [ours, peer] = servers.map(([name]) => rows.find((r) => r.server === name && r.call === call)!);
      printComparison({
        title: `${call}, ${CLIENTS} clients (p50 ${ours!.p50.toFixed(3)} vs ${peer!.p50.toFixed(3)} ms, p99 ${ours!.p99.toFixed(3)} vs ${peer!.p99.toFixed(3)} ms)`,
        unit: "req/s",
        figures: [
          { name: ours!.server, perSecond: ours!.perSec },
          { name: peer!.server, perSecond: peer!.perSec },
        ],
      });
    }
  } finally {
    killLeft(nodes.map((n) => n.child));
    rmSync(dir, { recursive: true, force: true });
  }
}
