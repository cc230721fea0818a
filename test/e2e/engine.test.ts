/**
 * The Engine API end to end: a real `fastevm node` child process (uWebSockets.js, then the Node http
 * fallback with UWS_USE_FALLBACK=1) on an initialized dev datadir, driven over HTTP and WebSocket with JWTs
 * this test signs: every auth case, JSON-RPC framing, each Engine API error code, each payload status
 * (SYNCING for an unknown parent, a reorg to a side branch and back), start-up refusal of a bad secret, and
 * a graceful SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devGenesisJson, devKeys } from "../../node/chain/chainGenerator.ts";
import { initCommand } from "../../node/cli/commands/init.ts";
import { type ExecutionPayloadV3, payloadToBlock } from "../../node/core/block/payload.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { EngineHttpClient, EngineWsClient } from "../../node/rpc/engine/client.ts";
import { engineToken, parseJwtSecret, signJwt } from "../../node/rpc/jwt.ts";
import { devTx } from "../utils/devChain.ts";
import { REPO_ROOT } from "../utils/fixtures.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const secret = new Uint8Array(32).fill(0x73);
/**
 * A token whose iat is exactly now + `drift` seconds (a fractional NumericDate, RFC 7519), so the ±59 / ±61 s
 * boundary cases keep a full second of margin for a loaded machine.
 */
const driftToken = (drift: number) => signJwt(secret, { iat: Date.now() / 1000 + drift });
const Z = `0x${"00".repeat(32)}`;
const FEE = `0x${"11".repeat(20)}`;
const dir = tempDir("fastevm-engine-e2e-");
const secretFile = join(dir.path, "jwt.hex");

interface RunningNode {
  readonly child: ChildProcess;
  readonly port: number;
  stderr: string;
}

function startNode(
  datadir: string,
  extraEnv: Record<string, string>,
  args: string[] = [],
): Promise<RunningNode> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "node/cli/main.ts", "node", "--datadir", datadir, "--authrpc.port", "0", ...args],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...extraEnv } },
  );
  const node = { child, port: 0, stderr: "" };
  child.stderr!.on("data", (d) => {
    node.stderr += String(d);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m !== null)
        resolve({
          ...node,
          port: Number(m[1]),
          get stderr() {
            return node.stderr;
          },
        } as RunningNode);
    });
    child.once("exit", (code) => reject(new Error(`node exited with ${code}: ${node.stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res(child.exitCode ?? child.signalCode!);
    else child.once("exit", (code, sig) => res(code ?? sig ?? "unknown"));
  });
}

async function initDatadir(name: string): Promise<string> {
  const genesis = join(dir.path, "genesis.json");
  writeFileSync(genesis, devGenesisJson(devKeys(8)));
  const datadir = join(dir.path, name);
  const log = console.log;
  console.log = () => {};
  try {
    expect(await initCommand.run(["--datadir", datadir, genesis])).toBe(0);
  } finally {
    console.log = log;
  }
  return datadir;
}

beforeAll(() => {
  writeFileSync(secretFile, `0x${"73".repeat(32)}\n`);
});
afterAll(() => dir.remove());

const fc = (head: string, safe = Z, fin = Z) => ({
  headBlockHash: head,
  safeBlockHash: safe,
  finalizedBlockHash: fin,
});
const attrs = (ts: number, extra: Record<string, unknown> = {}) => ({
  timestamp: `0x${ts.toString(16)}`,
  prevRandao: Z,
  suggestedFeeRecipient: FEE,
  withdrawals: [],
  parentBeaconBlockRoot: Z,
  ...extra,
});
/** The payload with its blockHash recomputed (so the patched field, not the hash, is what fails). */
const rehash = (p: ExecutionPayloadV3): ExecutionPayloadV3 => ({
  ...p,
  blockHash: bytesToHex(payloadToBlock(p, hexToBytes(Z)).blockHash),
});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { rpcCode?: number }) => e.rpcCode,
  );

for (const [kind, env] of [
  ["uws", { UWS_USE_FALLBACK: "0" }],
  ["http", { UWS_USE_FALLBACK: "1" }],
] as const) {
  describe(`fastevm node (${kind})`, () => {
    let node: RunningNode;
    let http: EngineHttpClient;
    let ws: EngineWsClient;
    let genesis: string;

    beforeAll(async () => {
      const datadir = await initDatadir(`dd-${kind}`);
      node = await startNode(datadir, env, [
        "--authrpc.jwtsecret",
        secretFile,
        "--engine.maxreorgdepth",
        "2",
      ]);
      http = new EngineHttpClient(`http://127.0.0.1:${node.port}`, secret);
      ws = await EngineWsClient.connect(`ws://127.0.0.1:${node.port}`, secret);
      genesis = (await http.call<{ hash: string }>("eth_getBlockByNumber", ["0x0", false])).hash;
    }, 60_000);
    afterAll(async () => {
      ws?.close();
      node?.child.kill("SIGKILL");
    });

    it(`serves on ${kind}`, async () => {
      for (let i = 0; i < 50 && !node.stderr.includes("jwt secret:"); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(node.stderr).toContain(`"path":${JSON.stringify(secretFile)}`); // the structured log record
      expect(node.stderr).not.toContain("73".repeat(32));
    });

    it("authenticates every HTTP request: ±59 s accepted; ±61 s, no iat, wrong secret, alg none, HS384 refused", async () => {
      const body = JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "engine_exchangeCapabilities",
        params: [[]],
      });
      for (const d of [-59, 59]) expect((await http.post(body, driftToken(d))).status).toBe(200);
      const now = Math.floor(Date.now() / 1000);
      for (const t of [
        driftToken(-61),
        driftToken(61),
        signJwt(secret, {}),
        signJwt(secret, { iat: "x" }),
        engineToken(new Uint8Array(32).fill(1)),
        signJwt(secret, { iat: now }, "none"),
        signJwt(secret, { iat: now }, "HS384"),
        null,
      ]) {
        const r = await http.post(body, t);
        expect(r.status).toBe(401);
        expect(r.text).not.toBe("");
      }
      const refused = await EngineWsClient.connect(
        `ws://127.0.0.1:${node.port}`,
        secret,
        driftToken(61),
      ).then(
        () => 0,
        (e: { rpcCode?: number }) => e.rpcCode,
      );
      expect(refused).toBe(-401);
    });

    it("frames JSON-RPC: -32700, -32600, -32601, -32602, batches", async () => {
      expect(JSON.parse((await http.post("{oops")).text).error.code).toBe(-32700);
      expect(JSON.parse((await http.post('{"id":1}')).text).error.code).toBe(-32600);
      expect(await codeOf(http.call("engine_newPayloadV9", []))).toBe(-32601);
      expect(await codeOf(http.call("engine_newPayloadV3", [{}, [], Z]))).toBe(-32602);
      const batch = await http.post(
        JSON.stringify([
          { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
          { jsonrpc: "2.0", method: "eth_chainId", params: [] },
          { jsonrpc: "2.0", id: 2, method: "nope", params: [] },
        ]),
      );
      const answers = JSON.parse(batch.text);
      expect(answers).toHaveLength(2);
      expect(answers[0]).toMatchObject({ id: 1, result: "0x539" });
      expect(answers[1]).toMatchObject({ id: 2, error: { code: -32601 } });
    });

    it("builds, imports and selects blocks over WebSocket; SYNCING, INVALID, reorg and back; every engine error code", async () => {
      const build = async (parent: string, ts: number, txs: string[] = []) => {
        const r = await ws.forkchoiceUpdatedV3(fc(parent), attrs(ts, { transactions: txs, noTxPool: true }));
        return (await ws.getPayloadV3(r.payloadId!)).executionPayload;
      };
      const to = new Uint8Array(20).fill(5);
      const a1 = await build(genesis, 12, [bytesToHex(devTx(0, 0n, to, 1n))]);
      expect(await ws.newPayloadV3(a1, [], Z)).toMatchObject({
        status: "VALID",
        latestValidHash: a1.blockHash,
      });
      await ws.forkchoiceUpdatedV3(fc(a1.blockHash));
      const a2 = await build(a1.blockHash, 24);
      expect((await http.newPayloadV3(a2, [], Z)).status).toBe("VALID");
      // SYNCING: a child of a block we never saw.
      const orphan = rehash({ ...a2, parentHash: `0x${"ab".repeat(32)}` });
      expect(await http.newPayloadV3(orphan, [], Z)).toEqual({
        status: "SYNCING",
        latestValidHash: null,
        validationError: null,
      });
      // INVALID: a wrong block hash (null lvh); a wrong state root (lvh = the parent).
      expect(await http.newPayloadV3({ ...a2, stateRoot: Z }, [], Z)).toMatchObject({
        status: "INVALID",
        latestValidHash: null,
      });
      const badRoot = rehash({ ...a2, stateRoot: Z });
      expect(await http.newPayloadV3(badRoot, [], Z)).toMatchObject({
        status: "INVALID",
        latestValidHash: a1.blockHash,
      });
      await http.forkchoiceUpdatedV3(fc(a2.blockHash));
      const a3 = await build(a2.blockHash, 36);
      await http.newPayloadV3(a3, [], Z);
      await http.forkchoiceUpdatedV3(fc(a3.blockHash));
      // Side branch from a1, then back.
      const b2 = await build(a1.blockHash, 25, [bytesToHex(devTx(1, 0n, to, 2n))]);
      expect((await http.newPayloadV3(b2, [], Z)).status).toBe("VALID");
      expect((await http.forkchoiceUpdatedV3(fc(b2.blockHash))).payloadStatus.status).toBe("VALID");
      expect(await http.call("eth_blockNumber")).toBe("0x2");
      expect((await http.call<{ hash: string }>("eth_getBlockByNumber", ["0x2", false])).hash).toBe(
        b2.blockHash,
      );
      expect((await http.forkchoiceUpdatedV3(fc(a3.blockHash))).payloadStatus.status).toBe("VALID");
      expect(await http.call("eth_blockNumber")).toBe("0x3");
      // -38001 … -38006
      expect(await codeOf(http.getPayloadV3("0x0300000000000001"))).toBe(-38001);
      expect(await codeOf(http.forkchoiceUpdatedV3(fc(a3.blockHash, b2.blockHash)))).toBe(-38002);
      expect(await codeOf(http.forkchoiceUpdatedV3(fc(a3.blockHash), attrs(36)))).toBe(-38003);
      expect(await codeOf(http.call("engine_getBlobsV1", [Array(129).fill(Z)]))).toBe(-38004);
      const { blobGasUsed: _a, excessBlobGas: _b, ...v2 } = a3;
      expect(await codeOf(http.call("engine_newPayloadV2", [v2]))).toBe(-38005);
      expect(await codeOf(http.forkchoiceUpdatedV3(fc(genesis)))).toBe(-38006);
    });

    it("stops gracefully on SIGTERM", async () => {
      ws.close();
      node.child.kill("SIGTERM");
      expect(await exited(node.child)).toBe(0);
      expect(node.stderr).toContain("stopped");
    });
  });
}

describe("determinism across processes", () => {
  it("two nodes given the same forced-transaction attributes build byte-identical payloads", async () => {
    const nodes = await Promise.all(
      ["det-a", "det-b"].map(async (name) =>
        startNode(await initDatadir(name), {}, ["--authrpc.jwtsecret", secretFile]),
      ),
    );
    try {
      const to = new Uint8Array(20).fill(9);
      const ok = bytesToHex(devTx(2, 0n, to, 7n));
      const forced = [
        ok,
        ok,
        "0x02c0",
        bytesToHex(devTx(2, 5n, to, 1n)),
        bytesToHex(devTx(2, 1n, to, 10n ** 30n)),
        bytesToHex(devTx(3, 0n, to, 1n)),
      ];
      const built = await Promise.all(
        nodes.map(async (n) => {
          const c = new EngineHttpClient(`http://127.0.0.1:${n.port}`, secret);
          const head = (await c.call<{ hash: string }>("eth_getBlockByNumber", ["latest", false])).hash;
          const r = await c.forkchoiceUpdatedV3(
            fc(head),
            attrs(12, { transactions: forced, noTxPool: true }),
          );
          return { id: r.payloadId, payload: await c.getPayloadV3(r.payloadId!) };
        }),
      );
      expect(built[0]!.id).toBe(built[1]!.id);
      expect(JSON.stringify(built[0]!.payload)).toBe(JSON.stringify(built[1]!.payload));
      expect(built[0]!.payload.executionPayload.transactions).toEqual([forced[0], forced[5]]);
    } finally {
      for (const n of nodes) n.child.kill("SIGKILL");
    }
  }, 60_000);
});

describe("fastevm node start-up", () => {
  it("generates a 0600 secret in the datadir without --authrpc.jwtsecret and logs its path, never the secret", async () => {
    const datadir = await initDatadir("dd-gen");
    const node = await startNode(datadir, {});
    try {
      const path = join(datadir, "jwt.hex");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const hex = readFileSync(path, "utf8").trim();
      // stderr is its own pipe: give its line a moment to arrive.
      for (let i = 0; i < 50 && !node.stderr.includes("jwt secret:"); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(node.stderr).toContain(`"path":${JSON.stringify(path)}`); // the structured log record
      expect(node.stderr).not.toContain(hex.slice(2));
      const c = new EngineHttpClient(`http://127.0.0.1:${node.port}`, parseJwtSecret(hex));
      expect(await c.call("eth_chainId")).toBe("0x539");
    } finally {
      node.child.kill("SIGKILL");
    }
  }, 30_000);

  it("refuses an uninitialized datadir and a taken port, exiting with 1", async () => {
    await expect(startNode(join(dir.path, "empty"), {})).rejects.toThrow(/exited with 1.*fastevm init/s);
    const datadir = await initDatadir("dd-port");
    const first = await startNode(datadir, {}, ["--authrpc.jwtsecret", secretFile]);
    try {
      const other = await initDatadir("dd-port2");
      await expect(
        startNode(other, {}, ["--authrpc.jwtsecret", secretFile, "--authrpc.port", String(first.port)]),
      ).rejects.toThrow(/exited with 1.*cannot listen/s);
    } finally {
      first.child.kill("SIGKILL");
    }
  }, 60_000);

  it("refuses a malformed JWT secret file with a clear message", async () => {
    const datadir = await initDatadir("dd-badsecret");
    const bad = join(dir.path, "bad.hex");
    writeFileSync(bad, "0x1234");
    await expect(startNode(datadir, {}, ["--authrpc.jwtsecret", bad])).rejects.toThrow(
      /exited with 1.*64 hex characters/s,
    );
  }, 30_000);
});
