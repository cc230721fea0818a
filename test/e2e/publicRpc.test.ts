/**
 * `fastevm node --http --ws` as child processes: a taken port is a start-up error for the Engine API and
 * for the public HTTP and WebSocket servers, on uWebSockets.js and on the node:http fallback (uWS used to
 * bind with SO_REUSEPORT, letting two nodes share 8551); `engine_*` answers -32601 on the public port (row
 * 38) and `debug_*` unless listed (row 39); the WebSocket port serves JSON-RPC, the HTTP port refuses
 * eth_subscribe with geth's "notifications not supported".
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { devGenesisJson, devKeys } from "../../node/chain/chainGenerator.ts";
import { initCommand } from "../../node/cli/commands/init.ts";
import { type NodeProcess, rpcPost, startNodeProcess } from "../utils/nodeProcess.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const dir = tempDir("fastevm-public-rpc-");
let a: NodeProcess;

beforeAll(async () => {
  const genesis = join(dir.path, "genesis.json");
  writeFileSync(genesis, devGenesisJson(devKeys(2)));
  const log = console.log;
  console.log = () => {};
  try {
    for (const n of ["a", "b"]) await initCommand.run(["--datadir", join(dir.path, n), genesis]);
  } finally {
    console.log = log;
  }
  a = await startNodeProcess(join(dir.path, "a"), ["--http", "--http.port", "0", "--ws", "--ws.port", "0"]);
}, 120_000);
afterAll(async () => {
  await a?.stop();
  dir.remove();
});

const call = (method: string, params: unknown[] = []) => ({ jsonrpc: "2.0", id: 1, method, params });

describe("fastevm node public JSON-RPC", () => {
  it("refuses engine_ and unlisted debug_ methods on the public port; refuses eth_subscribe over HTTP", async () => {
    expect(await rpcPost(a.http!, call("eth_chainId"))).toMatchObject({ result: "0x539" });
    for (const m of ["engine_exchangeCapabilities", "engine_forkchoiceUpdatedV3", "debug_getRawHeader"])
      expect(await rpcPost(a.http!, call(m, [[]])), m).toMatchObject({ error: { code: -32601 } });
    expect(await rpcPost(a.http!, call("eth_subscribe", ["newHeads"]))).toMatchObject({
      error: { code: -32601, message: "notifications not supported" },
    });
  });

  it("serves JSON-RPC on the WebSocket port, and no HTTP there", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${a.ws}`);
    await new Promise((res, rej) => ws.once("open", res).once("error", rej));
    const reply = await new Promise<string>((res) => {
      ws.once("message", (d) => res(String(d)));
      ws.send(JSON.stringify(call("eth_blockNumber")));
    });
    expect(JSON.parse(reply)).toEqual({ jsonrpc: "2.0", id: 1, result: "0x0" });
    ws.close();
    const r = await fetch(`http://127.0.0.1:${a.ws}/`, {
      method: "POST",
      body: JSON.stringify(call("eth_chainId")),
    });
    expect(r.status).toBe(405);
  });

  for (const fallback of [false, true]) {
    const env = { UWS_USE_FALLBACK: fallback ? "1" : "0" };
    const kind = fallback ? "node:http" : "uWebSockets.js";
    it(`a taken port is a start-up error (${kind}): Engine API, HTTP, WebSocket`, async () => {
      const b = join(dir.path, "b");
      for (const args of [
        ["--authrpc.port", String(a.engine)],
        ["--http", "--http.port", String(a.http)],
        ["--ws", "--ws.port", String(a.ws)],
      ]) {
        // the last --authrpc.port wins over the helper's "0"
        const err = await startNodeProcess(b, args, env).then(
          async (n) => {
            await n.stop();
            return null;
          },
          (e: { exitCode?: number; stderr?: string }) => e,
        );
        expect(err?.exitCode, args.join(" ")).not.toBe(0);
        expect(err?.stderr, args.join(" ")).toMatch(/cannot listen/);
      }
      // node A still owns its ports and answers
      expect(await rpcPost(a.http!, call("eth_blockNumber"))).toMatchObject({ result: "0x0" });
    }, 120_000);
  }
});
