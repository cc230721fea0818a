/**
 * Engine API round trips against a real `fastevm node` child process, once on uWebSockets.js and once on the
 * Node http fallback (UWS_USE_FALLBACK=1), over one keep-alive HTTP connection with a fresh JWT per request:
 * engine_newPayloadV3 of empty blocks, of blocks of 1,000 ETH transfers (each followed, unmeasured, by the
 * forkchoiceUpdatedV3 a consensus client sends), and engine_forkchoiceUpdatedV3 without attributes.
 * The blocks are built once, by a third node, from forced transactions, and replayed on both; the first
 * blocks of each replay are warm-up. Then the validator's own cycle on each server: forkchoiceUpdatedV3 with
 * attributes and getPayloadV3 (unmeasured), newPayloadV3 of that locally built block (empty, and 1,000
 * transfers) and the forkchoiceUpdatedV3 that makes it the head (both measured).
 * The same rows follow for the Engine API in-process (the JSON dispatcher a `fastevm node --validator` drives,
 * no HTTP, no JWT; LMDB synced as in the node), which is the engine's own cost, and once more with LMDB not
 * synced (the cost of each block's fsync set apart). The engine's calls leave the LMDB write to the chain's
 * background writer; in-process, the time that write then takes (block + head move, one transaction) is its
 * own row, so no cost is hidden.
 * BENCH_ENGINE_EMPTY / _FULL / _FCU / _LOCAL set the counts. On a shared machine the figures move a lot
 * between runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Chain } from "../../node/chain/chain.ts";
import { DEV_CHAIN_ID, devGenesisJson, devKeys } from "../../node/chain/chainGenerator.ts";
import { ChainStore } from "../../node/chain/chainStore.ts";
import { startChainPools } from "../../node/cli/chainWorkers.ts";
import { initCommand } from "../../node/cli/commands/init.ts";
import { cachedWorkers } from "../../node/cli/txpoolSetup.ts";
import type { ExecutionPayloadV3 } from "../../node/core/block/payload.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { encodeTransaction } from "../../node/core/tx/encode.ts";
import { SenderCache } from "../../node/core/tx/senderCache.ts";
import { signTransaction } from "../../node/core/tx/sign.ts";
import type { ExecutionEngine } from "../../node/core/wire/engine.ts";
import { PayloadPool } from "../../node/pool/payloadPool.ts";
import { EngineHttpClient } from "../../node/rpc/engine/client.ts";
import { engineMethods } from "../../node/rpc/engine/engineApi.ts";
import { EngineState } from "../../node/rpc/engine/engineState.ts";
import { InProcessEngine } from "../../node/rpc/engine/inProcessEngine.ts";
import { PayloadBuilder } from "../../node/rpc/engine/payloadBuilder.ts";
import { createRpcContext } from "../../node/rpc/eth/context.ts";
import { publicMethods } from "../../node/rpc/eth/methods.ts";
import { JsonRpcDispatcher } from "../../node/rpc/jsonrpc.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { killLeft, printRows, type Row, row, stopChild } from "./rows.ts";

const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
const EMPTY_BLOCKS = Number(process.env.BENCH_ENGINE_EMPTY ?? 200);
const FULL_BLOCKS = Number(process.env.BENCH_ENGINE_FULL ?? 7);
const TRANSFERS = 1000;
const WARMUP = 20;
const FCU_CALLS = Number(process.env.BENCH_ENGINE_FCU ?? 2000);
/** locally built blocks per server: empty ones (after 5 warm-up), and of 1,000 transfers (after 1) */
const LOCAL_EMPTY = Number(process.env.BENCH_ENGINE_LOCAL ?? 100);
const LOCAL_FULL = 4;
const Z = `0x${"00".repeat(32)}`;
const secret = new Uint8Array(32).fill(0x42);
const keys = devKeys(8);

/** The calls the benchmark makes: over HTTP (EngineHttpClient) or through the in-process dispatcher. */
type EngineCalls = Pick<EngineHttpClient, "call" | "newPayloadV3" | "forkchoiceUpdatedV3" | "getPayloadV3">;

interface Node {
  readonly child: ChildProcess;
  readonly client: EngineCalls;
}

/** The Engine API of `datadir` in this process, wired as `fastevm node` wires it (sender cache included). */
/** An engine the bench drives; in-process it also exposes the chain's background writer. */
interface BenchEngine {
  readonly client: EngineCalls;
  /** waits for the chain's queued LMDB writes (in-process only) */
  readonly persisted?: () => Promise<void>;
  /** the typed in-process engine a `fastevm node --validator` drives (in-process only) */
  readonly typed?: ExecutionEngine;
}

function inProcess(datadir: string, noSync: boolean): BenchEngine & { close(): Promise<void> } {
  const storage = openStorage(datadir, { noSync });
  const pools = startChainPools();
  const workers = cachedWorkers(pools, new ChainStore(storage).chainConfig().chainId, new SenderCache());
  const chain = new Chain(storage, workers);
  const payloadPool = new PayloadPool();
  const engine = new EngineState(chain, new PayloadBuilder(chain), (t) => payloadPool.check(t), {
    log: () => {},
  });
  const api = publicMethods(createRpcContext(chain, workers.recover));
  const dispatcher = new JsonRpcDispatcher(engineMethods(engine, api.methods), { log: () => {} });
  let id = 0;
  const call = async <T>(method: string, params: readonly unknown[] = []): Promise<T> => {
    const text = await dispatcher.handle(JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }));
    const res = JSON.parse(text!) as { result?: T; error?: { code: number; message: string } };
    if (res.error !== undefined) throw new Error(`${method}: ${res.error.code} ${res.error.message}`);
    return res.result as T;
  };
  const client: EngineCalls = {
    call,
    newPayloadV3: (p, blobHashes, beaconRoot) => call("engine_newPayloadV3", [p, blobHashes, beaconRoot]),
    forkchoiceUpdatedV3: (st, attrs = null) => call("engine_forkchoiceUpdatedV3", [st, attrs]),
    getPayloadV3: (payloadId) => call("engine_getPayloadV3", [payloadId]),
  };
  return {
    client,
    persisted: () => chain.persisted(),
    typed: new InProcessEngine(engine),
    async close() {
      await engine.lock.run(() => undefined);
      await engine.chain.persisted();
      api.close();
      await Promise.all([payloadPool.close(), pools.close()]);
      await storage.close();
    },
  };
}

async function startNode(datadir: string, fallback: boolean, secretFile: string): Promise<Node> {
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
      "--authrpc.jwtsecret",
      secretFile,
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
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m !== null) res(Number(m[1]));
    });
    child.once("exit", (c) => rej(new Error(`node exited with ${c}`)));
  });
  return { child, client: new EngineHttpClient(`http://127.0.0.1:${port}`, secret) };
}

const fc = (head: string) => ({ headBlockHash: head, safeBlockHash: Z, finalizedBlockHash: Z });

function transfers(nonceBase: bigint): string[] {
  const out: string[] = [];
  for (let i = 0; i < TRANSFERS; i++) {
    const k = i % keys.length;
    const nonce = nonceBase + BigInt(Math.floor(i / keys.length));
    const to = new Uint8Array(20);
    new DataView(to.buffer).setUint32(16, i + 1);
    const tx = signTransaction(
      {
        type: 2,
        chainId: DEV_CHAIN_ID,
        nonce,
        maxPriorityFeePerGas: 1n,
        maxFeePerGas: 10n ** 11n,
        gasLimit: 21000n,
        to,
        value: 1n,
        data: new Uint8Array(0),
        accessList: [],
      },
      keys[k]!,
    );
    out.push(bytesToHex(encodeTransaction(tx)));
  }
  return out;
}

/** Builds `empty` empty blocks then `full` blocks of transfers on a prep node; returns them in order. */
async function buildChain(n: Node): Promise<{ empty: ExecutionPayloadV3[]; full: ExecutionPayloadV3[] }> {
  const c = n.client;
  let head = (await c.call<{ hash: string }>("eth_getBlockByNumber", ["latest", false])).hash;
  let ts = 12;
  const next = async (txs: string[]) => {
    const attrs = {
      timestamp: `0x${ts.toString(16)}`,
      prevRandao: Z,
      suggestedFeeRecipient: `0x${"11".repeat(20)}`,
      withdrawals: [],
      parentBeaconBlockRoot: Z,
      transactions: txs,
      noTxPool: true,
    };
    ts += 12;
    const r = await c.forkchoiceUpdatedV3(fc(head), attrs);
    const p = (await c.getPayloadV3(r.payloadId!)).executionPayload;
    if (p.transactions.length !== txs.length)
      throw new Error(`built ${p.transactions.length} of ${txs.length} txs`);
    await c.newPayloadV3(p, [], Z);
    await c.forkchoiceUpdatedV3(fc(p.blockHash));
    head = p.blockHash;
    return p;
  };
  const empty: ExecutionPayloadV3[] = [];
  for (let i = 0; i < EMPTY_BLOCKS; i++) empty.push(await next([]));
  const full: ExecutionPayloadV3[] = [];
  const perKey = BigInt(TRANSFERS / keys.length);
  for (let i = 0; i < FULL_BLOCKS; i++) full.push(await next(transfers(BigInt(i) * perKey)));
  return { empty, full };
}

async function measure(
  n: BenchEngine,
  server: string,
  chain: { empty: ExecutionPayloadV3[]; full: ExecutionPayloadV3[] },
): Promise<Row[]> {
  const c = n.client;
  const rows: Row[] = [];
  /** Imports every block; the first `warmup` (JIT, worker start-up, LMDB pages) are not recorded. */
  const replay = async (blocks: ExecutionPayloadV3[], name: string, warmup: number) => {
    const lat: number[] = [];
    let total = 0;
    for (const [i, p] of blocks.entries()) {
      const t0 = performance.now();
      const st = await c.newPayloadV3(p, [], Z);
      const dt = performance.now() - t0;
      if (st.status !== "VALID") throw new Error(`${name}: ${JSON.stringify(st)}`);
      if (i >= warmup) {
        lat.push(dt);
        total += dt;
      }
      await c.forkchoiceUpdatedV3(fc(p.blockHash));
    }
    rows.push(row(server, name, lat, total));
  };
  await replay(chain.empty, "newPayloadV3 (empty block)", WARMUP);
  await replay(chain.full, `newPayloadV3 (${TRANSFERS} transfers)`, 1);
  const head = chain.full.at(-1)?.blockHash ?? chain.empty.at(-1)!.blockHash;
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) await c.forkchoiceUpdatedV3(fc(head));
  for (let i = 0; i < FCU_CALLS; i++) {
    const t = performance.now();
    await c.forkchoiceUpdatedV3(fc(head));
    lat.push(performance.now() - t);
  }
  rows.push(row(server, "forkchoiceUpdatedV3 (no attributes)", lat, performance.now() - t0));
  rows.push(...(await measureLocal(n, server, head)));
  return rows;
}

/**
 * A validator's cycle on blocks this node built: forkchoiceUpdatedV3 with attributes + getPayloadV3
 * (unmeasured), then newPayloadV3 of the payload and the forkchoiceUpdatedV3 that makes it the head.
 */
async function measureLocal(n: BenchEngine, server: string, start: string): Promise<Row[]> {
  const c = n.client;
  let head = start;
  let ts = Number((await c.call<{ timestamp: string }>("eth_getBlockByHash", [head, false])).timestamp);
  const cycle = async (name: string, blocks: number, warmup: number, txs: (i: number) => string[]) => {
    const np: number[] = [];
    const fcu: number[] = [];
    const write: number[] = [];
    let npTotal = 0;
    let fcuTotal = 0;
    let writeTotal = 0;
    for (let i = 0; i < blocks; i++) {
      ts += 12;
      const forced = txs(i);
      const r = await c.forkchoiceUpdatedV3(fc(head), {
        timestamp: `0x${ts.toString(16)}`,
        prevRandao: Z,
        suggestedFeeRecipient: `0x${"11".repeat(20)}`,
        withdrawals: [],
        parentBeaconBlockRoot: Z,
        transactions: forced,
        noTxPool: true,
      });
      const p = (await c.getPayloadV3(r.payloadId!)).executionPayload;
      if (p.transactions.length !== forced.length)
        throw new Error(`${name}: built ${p.transactions.length} of ${forced.length} txs`);
      const t0 = performance.now();
      const st = await c.newPayloadV3(p, [], Z);
      const t1 = performance.now();
      if (st.status !== "VALID") throw new Error(`${name}: ${JSON.stringify(st)}`);
      const f = await c.forkchoiceUpdatedV3(fc(p.blockHash));
      const t2 = performance.now();
      if (f.payloadStatus.status !== "VALID") throw new Error(`${name}: ${JSON.stringify(f)}`);
      // the LMDB write both calls left to the chain's background writer (block + head move)
      const t3 = performance.now();
      await n.persisted?.();
      const t4 = performance.now();
      head = p.blockHash;
      if (i >= warmup) {
        np.push(t1 - t0);
        fcu.push(t2 - t1);
        write.push(t4 - t3);
        npTotal += t1 - t0;
        fcuTotal += t2 - t1;
        writeTotal += t4 - t3;
      }
    }
    return [
      row(server, `newPayloadV3 (locally built, ${name})`, np, npTotal),
      row(server, `forkchoiceUpdatedV3 (new head, ${name})`, fcu, fcuTotal),
      ...(n.persisted === undefined
        ? []
        : [row(server, `background write of block + head (${name})`, write, writeTotal)]),
    ];
  };
  const perKey = BigInt(TRANSFERS / keys.length);
  return [
    ...(await cycle("empty", LOCAL_EMPTY, 5, () => [])),
    ...(await cycle(`${TRANSFERS} transfers`, LOCAL_FULL, 1, (i) =>
      transfers(BigInt(FULL_BLOCKS + i) * perKey),
    )),
  ];
}

/**
 * The validator's cycle through the typed in-process engine (no JSON either way), on blocks this node built:
 * forkchoiceUpdated with attributes + getPayload (unmeasured), newPayload and the forkchoiceUpdated onto it
 * (measured), then the background write they left (measured). Nonces continue after `measureLocal`'s.
 */
async function measureTyped(n: BenchEngine, server: string): Promise<Row[]> {
  const e = n.typed;
  if (e === undefined) return [];
  const z = new Uint8Array(32);
  const fc = (h: Uint8Array) => ({ head: h, safe: h, finalized: h });
  const start = await e.headBlock();
  if (start === null) throw new Error("typed engine: no head");
  let head = start.hash;
  let ts = start.timestamp;
  const cycle = async (name: string, blocks: number, warmup: number, txs: (i: number) => Uint8Array[]) => {
    const np: number[] = [];
    const fcu: number[] = [];
    const write: number[] = [];
    for (let i = 0; i < blocks; i++) {
      ts += 12n;
      const forced = txs(i);
      const r = await e.forkchoiceUpdated(fc(head), {
        version: 3,
        timestamp: ts,
        prevRandao: z,
        suggestedFeeRecipient: new Uint8Array(20).fill(0x11),
        withdrawals: [],
        parentBeaconBlockRoot: z,
        transactions: forced,
        noTxPool: true,
      });
      const p = (await e.getPayload(r.payloadId!)).payload;
      if (p.transactions.length !== forced.length)
        throw new Error(`${name}: built ${p.transactions.length} of ${forced.length} txs`);
      const t0 = performance.now();
      const st = await e.newPayload(p, [], z);
      const t1 = performance.now();
      if (st.status !== "VALID") throw new Error(`${name}: ${st.status} ${st.validationError}`);
      const f = await e.forkchoiceUpdated(fc(p.blockHash));
      const t2 = performance.now();
      if (f.payloadStatus.status !== "VALID")
        throw new Error(`${name}: forkchoice ${f.payloadStatus.status}`);
      await n.persisted?.();
      const t3 = performance.now();
      head = p.blockHash;
      if (i >= warmup) {
        np.push(t1 - t0);
        fcu.push(t2 - t1);
        write.push(t3 - t2);
      }
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return [
      row(server, `newPayloadV3 (typed, locally built, ${name})`, np, sum(np)),
      row(server, `forkchoiceUpdatedV3 (typed, new head, ${name})`, fcu, sum(fcu)),
      row(server, `background write of block + head (typed, ${name})`, write, sum(write)),
    ];
  };
  const perKey = BigInt(TRANSFERS / keys.length);
  return [
    ...(await cycle("empty", LOCAL_EMPTY, 5, () => [])),
    ...(await cycle(`${TRANSFERS} transfers`, LOCAL_FULL, 1, (i) =>
      transfers(BigInt(FULL_BLOCKS + LOCAL_FULL + i) * perKey).map((t) => hexToBytes(t)),
    )),
  ];
}

export async function runEngineBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "fastevm-engine-bench-"));
  const nodes: Node[] = [];
  try {
    const genesis = join(dir, "genesis.json");
    writeFileSync(genesis, devGenesisJson(keys));
    const secretFile = join(dir, "jwt.hex");
    writeFileSync(secretFile, bytesToHex(secret));
    const log = console.log;
    console.log = () => {};
    try {
      for (const name of ["prep", "uws", "http", "inproc", "inproc-nosync"])
        await initCommand.run(["--datadir", join(dir, name), genesis]);
    } finally {
      console.log = log;
    }
    const prep = await startNode(join(dir, "prep"), false, secretFile);
    nodes.push(prep);
    const chain = await buildChain(prep);
    await stopChild(prep.child);
    const rows: Row[] = [];
    for (const [name, fallback] of [
      ["uws", false],
      ["http", true],
    ] as const) {
      const n = await startNode(join(dir, name), fallback, secretFile);
      nodes.push(n);
      rows.push(...(await measure(n, name === "uws" ? "uWebSockets.js" : "node:http (fallback)", chain)));
      await stopChild(n.child);
    }
    for (const [name, noSync, label] of [
      ["inproc", false, "in-process (dispatcher)"],
      ["inproc-nosync", true, "in-process, LMDB not synced"],
    ] as const) {
      const local = inProcess(join(dir, name), noSync);
      try {
        rows.push(...(await measure(local, label, chain)));
        rows.push(...(await measureTyped(local, label)));
      } finally {
        await local.close();
      }
    }
    printRows(rows, "round trips/s", 2);
  } finally {
    killLeft(nodes.map((n) => n.child));
    rmSync(dir, { recursive: true, force: true });
  }
}
