/**
 * A devnet of real `fastevm node --validator` processes for end-to-end tests: start (and restart) each
 * validator, read its chain over its Engine API (JWT), reach its public JSON-RPC (`rpcUrl`, `wsUrl`: the
 * layout's OS-chosen ports), read its consensus store after it stopped, and stop only the processes
 * started here; and the same for a split devnet's execution and consensus processes (SplitProcs).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { NODE_READY_LINE } from "../../node/cli/commands/node.ts";
import {
  type DevnetLayout,
  type DevnetOptions,
  FASTEVM_BIN,
  fullNodeArgs,
  prepareDevnet,
  validatorArgs,
} from "../../node/cli/devnetSetup.ts";
import { prepareSplitDevnet, type SplitLayout, splitServices } from "../../node/cli/splitDevnet.ts";
import { LmdbConsensusStore } from "../../node/consensus/lmdbStore.ts";
import { DEVNET_CHAIN_ID, devAccountKey } from "../../node/core/chain/devnet.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { signTransaction } from "../../node/core/tx/sign.ts";
import { EngineHttpClient } from "../../node/rpc/engine/client.ts";
import { openStorage } from "../../node/storage/storage.ts";

/** A signed 1-wei transfer from devnet account `from` (node/core/chain/devnet.ts) with `nonce`. */
export function devnetTransfer(from: number, nonce: bigint): Uint8Array {
  return encodeTransaction(
    signTransaction(
      {
        type: 2,
        chainId: DEVNET_CHAIN_ID,
        nonce,
        maxPriorityFeePerGas: 1_000_000_000n,
        maxFeePerGas: 100_000_000_000n,
        gasLimit: 21_000n,
        to: new Uint8Array(20).fill(0x42),
        value: 1n,
        data: new Uint8Array(0),
        accessList: [],
      },
      devAccountKey(from),
    ),
  );
}

/** `eth_sendRawTransaction` of `raw` to the JSON-RPC server at `url`: the hash, or the refusal. */
export async function sendRawTransaction(
  url: string,
  raw: Uint8Array,
): Promise<{ hash?: string; error?: { code: number; message: string } }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_sendRawTransaction",
      params: [bytesToHex(raw)],
    }),
  });
  const json = (await res.json()) as { result?: string; error?: { code: number; message: string } };
  return json.error === undefined ? { hash: json.result! } : { error: json.error };
}

/** How much of a validator's stderr `launch` keeps for its failure message. */
const STDERR_TAIL = 4096;

export interface BlockJson {
  hash: string;
  number: string;
  extraData: string;
  miner: string;
  transactions: string[];
}

/** Where the tests reach process i's chain: its Engine API (JWT) and its public JSON-RPC. */
interface ChainEndpoint {
  readonly enginePort: number;
  readonly jwtFile: string;
  readonly httpPort: number;
  readonly wsPort: number;
}

/**
 * Child `fastevm` processes by key, and the chain each serves (`endpoint`): what DevnetProcs (in-process
 * validators and full nodes) and SplitProcs (execution and consensus processes) share.
 */
abstract class ChainProcs {
  readonly children = new Map<number, ChildProcess>();
  readonly #clients = new Map<number, EngineHttpClient>();

  protected abstract endpoint(i: number): ChainEndpoint;

  /**
   * Starts `fastevm ARGS` under key i; resolves at the first stdout line `isReady` accepts. `onLine` sees
   * each stdout line, `onErrLine` each stderr line (its log records).
   */
  protected spawnProc(
    i: number,
    args: readonly string[],
    isReady: (line: string) => boolean,
    onLine?: (l: string) => void,
    onErrLine?: (l: string) => void,
  ): Promise<void> {
    const child = spawn(process.execPath, [FASTEVM_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.set(i, child);
    child.stdout!.setEncoding("utf8");
    // the last STDERR_TAIL bytes of its stderr, for the message when it dies before it is ready
    let stderr = "";
    let errBuf = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      if (process.env.DEBUG_E2E === "1") process.stderr.write(chunk);
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
      if (onErrLine === undefined) return;
      const lines = (errBuf + chunk).split("\n");
      errBuf = lines.pop()!;
      for (const l of lines) onErrLine(l);
    });
    return new Promise((ready, fail) => {
      let buf = "";
      child.stdout!.on("data", (chunk: string) => {
        buf += chunk;
        const lines = buf.split("\n");
        buf = lines.pop()!;
        for (const l of lines) {
          onLine?.(l);
          if (isReady(l)) ready();
        }
      });
      child.once("exit", (code, signal) =>
        fail(
          new Error(
            `process ${i} exited ${code ?? signal} before it was ready; its stderr ended:\n${stderr}`,
          ),
        ),
      );
    });
  }

  /** process i's public JSON-RPC over HTTP */
  rpcUrl(i: number): string {
    return `http://127.0.0.1:${this.endpoint(i).httpPort}`;
  }

  /** process i's public JSON-RPC over WebSocket */
  wsUrl(i: number): string {
    return `ws://127.0.0.1:${this.endpoint(i).wsPort}`;
  }

  /** `eth_sendRawTransaction` of `raw` to process i's public JSON-RPC: the hash, or the pool's refusal. */
  sendRaw(i: number, raw: Uint8Array): Promise<{ hash?: string; error?: { code: number; message: string } }> {
    return sendRawTransaction(this.rpcUrl(i), raw);
  }

  engine(i: number): EngineHttpClient {
    let c = this.#clients.get(i);
    if (c === undefined) {
      const e = this.endpoint(i);
      const secret = hexToBytes(readFileSync(e.jwtFile, "utf8").trim());
      c = new EngineHttpClient(`http://127.0.0.1:${e.enginePort}`, secret);
      this.#clients.set(i, c);
    }
    return c;
  }

  block(i: number, tag: string | number): Promise<BlockJson> {
    const t = typeof tag === "number" ? `0x${tag.toString(16)}` : tag;
    return this.engine(i).call<BlockJson>("eth_getBlockByNumber", [t, false]);
  }

  async headNumber(i: number): Promise<number> {
    return Number((await this.block(i, "latest")).number);
  }

  /** Sends `signal` to process i and waits for it to exit. */
  async stop(i: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const c = this.children.get(i);
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill(signal);
    await exited;
  }

  async stopAll(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await Promise.all([...this.children.keys()].map((i) => this.stop(i, signal)));
  }

  /** Waits for processes a and b to have the same head, then checks their chains block by block; the head. */
  async expectSameChain(a: number, b: number): Promise<number> {
    await waitFor(
      "the same head",
      async () => (await this.headNumber(b)) === (await this.headNumber(a)),
      30_000,
    );
    const head = await this.headNumber(a);
    for (let n = 1; n <= head; n++) {
      const [x, y] = await Promise.all([this.block(a, n), this.block(b, n)]);
      expect([n, y.hash]).toEqual([n, x.hash]);
    }
    return head;
  }

  /**
   * A bounded transfer load: dev accounts 0..senders−1 send round-robin to processes 0..nodes−1, one
   * transaction every `pauseMs` at most, each sender's nonce advanced only when its transaction was
   * accepted (`onAccepted` gets the hash), until `stop()`.
   */
  startLoad(o: {
    readonly nodes: number;
    readonly senders: number;
    readonly pauseMs: number;
    readonly onAccepted?: (hash: string) => void;
  }): { stop(): Promise<void> } {
    let running = true;
    const nonces = new Map<number, bigint>();
    const loop = (async () => {
      for (let k = 0; running; k++) {
        const from = k % o.senders;
        const nonce = nonces.get(from) ?? 0n;
        const res = await this.sendRaw(k % o.nodes, devnetTransfer(from, nonce)).catch(() => undefined);
        if (res?.hash !== undefined) {
          nonces.set(from, nonce + 1n);
          o.onAccepted?.(res.hash);
        }
        await new Promise((r) => setTimeout(r, o.pauseMs));
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
      },
    };
  }
}

/** Polls `cond` every `pollMs` until it holds (a throw counts as not yet); after `ms`, an error naming `what`. */
export async function waitFor(
  what: string,
  cond: () => Promise<boolean>,
  ms: number,
  pollMs = 200,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export class DevnetProcs extends ChainProcs {
  readonly summaries = new Map<number, { lastExecutedCommit: number; headHash: string }>();

  private constructor(readonly layout: DevnetLayout) {
    super();
  }

  static async prepare(root: string, n: number, opts: DevnetOptions = {}): Promise<DevnetProcs> {
    return new DevnetProcs(await prepareDevnet(root, n, opts));
  }

  protected endpoint(i: number): ChainEndpoint {
    const v = this.layout.validators[i]!;
    return { ...v, jwtFile: join(v.datadir, "jwt.hex") };
  }

  /**
   * Starts validator i (extra `fastevm node` flags appended); resolves once it prints that it is ready.
   * `onLine` sees each stdout line, `onErrLine` each stderr line (its log records).
   */
  launch(
    i: number,
    extra: readonly string[] = [],
    onLine?: (l: string) => void,
    onErrLine?: (l: string) => void,
  ): Promise<void> {
    return this.#spawn(i, [...validatorArgs(this.layout.validators[i]!), ...extra], onLine, onErrLine);
  }

  /** The key of full node j in `children` (and for `stop`): after every validator's. */
  static fullNodeKey(j: number): number {
    return 1000 + j;
  }

  /** Starts full node j of the layout (`fastevm node --sync`, bootnodes: every validator). */
  launchFullNode(j: number, extra: readonly string[] = [], onLine?: (l: string) => void): Promise<void> {
    const f = this.layout.fullnodes?.[j];
    if (f === undefined) throw new Error(`the layout has no full node ${j}`);
    return this.#spawn(DevnetProcs.fullNodeKey(j), [...fullNodeArgs(f, this.layout), ...extra], onLine);
  }

  /** full node j's public JSON-RPC over HTTP */
  fullNodeRpcUrl(j: number): string {
    return `http://127.0.0.1:${this.layout.fullnodes![j]!.httpPort}`;
  }

  #spawn(
    i: number,
    args: readonly string[],
    onLine?: (l: string) => void,
    onErrLine?: (l: string) => void,
  ): Promise<void> {
    const lines = (l: string) => {
      onLine?.(l);
      if (l.startsWith("validator summary ")) this.summaries.set(i, JSON.parse(l.slice(18)));
    };
    return this.spawnProc(i, args, (l) => l === NODE_READY_LINE, lines, onErrLine);
  }

  /** Every DAG block in validator i's consensus store (the validator must be stopped): its transactions. */
  async dagBlocks(i: number): Promise<{ key: string; transactions: readonly Uint8Array[] }[]> {
    const storage = openStorage(this.layout.validators[i]!.datadir, { readOnly: true, lock: false });
    try {
      return new LmdbConsensusStore(storage)
        .scanBlocks(0)
        .map((b) => ({ key: b.key, transactions: b.block.transactions }));
    } finally {
      await storage.close();
    }
  }
}

/**
 * A split devnet's processes (node/cli/splitDevnet.ts, as `fastevm devnet --split` runs them): execution
 * node i under key i (its chain is what `block`, `headNumber`, `sendRaw` reach), consensus client i under
 * `SplitProcs.consensusKey(i)`; each ready once it printed its service's ready line.
 */
export class SplitProcs extends ChainProcs {
  private constructor(readonly layout: SplitLayout) {
    super();
  }

  static async prepare(root: string, n: number): Promise<SplitProcs> {
    return new SplitProcs(await prepareSplitDevnet(root, n));
  }

  static consensusKey(i: number): number {
    return 100 + i;
  }

  protected endpoint(i: number): ChainEndpoint {
    const p = this.layout.pairs[i]!;
    return { enginePort: p.ports.engine, jwtFile: p.jwtSecret, httpPort: p.ports.http, wsPort: p.ports.ws };
  }

  /** Starts pair i's execution node or consensus client; `onLine` sees each stdout line. */
  launch(role: "execution" | "consensus", i: number, onLine?: (l: string) => void): Promise<void> {
    const s = splitServices(this.layout).find((x) => x.role === role && x.validator === i);
    if (s === undefined) throw new Error(`the layout has no ${role}-${i}`);
    const key = role === "execution" ? i : SplitProcs.consensusKey(i);
    return this.spawnProc(key, s.args, (l) => l.startsWith(s.readyLine), onLine);
  }
}
