/**
 * Subscriptions (WebSocket) and filters (HTTP) over a real dev chain driven through the Engine API: newHeads
 * and logs, with `removed: true` for the logs of a block a reorg takes out; block and log filters with
 * eth_getFilterChanges / eth_getFilterLogs, idle expiry (5 min) and the filter cap; the pool seam's methods
 * answer -32601 while no pool is wired; and reliability row 28 — a subscriber that stops reading is
 * disconnected at the backpressure bound while server memory stays flat (both transports).
 */
import { setImmediate as tick } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { TRANSFER_TOPIC } from "../../../../../node/chain/devToken.ts";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { createRpcContext } from "../../../../../node/rpc/eth/context.ts";
import { type PublicApi, publicMethods } from "../../../../../node/rpc/eth/methods.ts";
import { DEFAULT_BODY_LIMIT, JsonRpcDispatcher } from "../../../../../node/rpc/jsonrpc.ts";
import { type RpcServer, startRpcServer } from "../../../../../node/rpc/server/server.ts";
import { ADDRESSES, devTx, TOKEN } from "../../../../utils/devChain.ts";
import {
  closePayloadPool,
  type EngineHarness,
  extend,
  type Json,
  openEngine,
} from "../../../../utils/engineHarness.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const pools = startChainPools();
let h: EngineHarness;
let api: PublicApi;
const servers: RpcServer[] = [];
const to = new Uint8Array(20).fill(3);
const token = bytesToHex(TOKEN);

async function serve(kind: "uws" | "http", backpressure?: number): Promise<RpcServer> {
  const prev = process.env.UWS_USE_FALLBACK;
  process.env.UWS_USE_FALLBACK = kind === "http" ? "1" : "0";
  try {
    const s = await startRpcServer({
      host: "127.0.0.1",
      port: 0,
      jwtSecret: null,
      dispatcher: new JsonRpcDispatcher(api.methods, { log: () => {} }),
      bodyLimit: DEFAULT_BODY_LIMIT,
      log: () => {},
      ...(backpressure === undefined ? {} : { wsBackpressureLimit: backpressure }),
    });
    servers.push(s);
    return s;
  } finally {
    if (prev === undefined) delete process.env.UWS_USE_FALLBACK;
    else process.env.UWS_USE_FALLBACK = prev;
  }
}

/** A WebSocket JSON-RPC client that keeps every notification it gets. */
class Client {
  readonly notes: { subscription: string; result: Json }[] = [];
  readonly #waiting = new Map<number, (r: Json) => void>();
  #id = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => {
      const m = JSON.parse(String(d));
      if (m.method === "eth_subscription") this.notes.push(m.params);
      else this.#waiting.get(m.id)?.(m);
    });
  }
  static async open(port: number): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((res, rej) => ws.once("open", res).once("error", rej));
    return new Client(ws);
  }
  call(method: string, params: unknown[] = []): Promise<Json> {
    const id = ++this.#id;
    return new Promise((res) => {
      this.#waiting.set(id, res);
      this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }
  async until(pred: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!pred()) throw new Error(`timed out waiting for ${what}`);
  }
}

const httpCall = async (port: number, method: string, params: unknown[] = []): Promise<Json> =>
  (
    await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    })
  ).json();

let genesis: string;
beforeAll(async () => {
  h = await openEngine(pools);
  api = publicMethods(createRpcContext(h.dev.chain, pools.recover));
  genesis = h.headHash();
});
afterAll(async () => {
  for (const s of servers) await s.close();
  api.close();
  await h.close();
  await pools.close();
  await closePayloadPool();
});

describe("subscriptions and filters", () => {
  it("newHeads and logs; a reorg sends the removed block's logs again with removed: true", async () => {
    const server = await serve("uws");
    const c = await Client.open(server.port);
    const heads = (await c.call("eth_subscribe", ["newHeads"])).result as string;
    const logs = (
      await c.call("eth_subscribe", ["logs", { address: token, topics: [bytesToHex(TRANSFER_TOPIC)] }])
    ).result as string;
    expect(heads).toMatch(/^0x[0-9a-f]{32}$/);
    const blockFilter = (await httpCall(server.port, "eth_newBlockFilter")).result as string;
    const logFilter = (await httpCall(server.port, "eth_newFilter", [{ address: token }])).result as string;

    const b1 = await extend(h, genesis, 12, {
      transactions: [bytesToHex(devTx(0, 0n, to, 5n, true))],
      noTxPool: true,
    });
    await c.until(() => c.notes.length >= 2, "block 1 notifications");
    const ofSub = (id: string) => c.notes.filter((n) => n.subscription === id).map((n) => n.result);
    expect(ofSub(heads).map((x) => [x.number, x.hash])).toEqual([["0x1", b1]]);
    expect(ofSub(logs)).toHaveLength(1);
    expect(ofSub(logs)[0]).toMatchObject({ blockHash: b1, removed: false, address: token });

    // a sibling of b1 without transactions becomes the head: b1's log comes back removed
    const b1x = await extend(h, genesis, 13);
    await c.until(() => ofSub(logs).length >= 2 && ofSub(heads).length >= 2, "reorg notifications");
    expect(ofSub(logs)[1]).toMatchObject({ blockHash: b1, removed: true });
    expect(ofSub(heads)[1]).toMatchObject({ number: "0x1", hash: b1x });

    const blocks = (await httpCall(server.port, "eth_getFilterChanges", [blockFilter])).result;
    expect(blocks).toEqual([b1, b1x]);
    expect((await httpCall(server.port, "eth_getFilterChanges", [blockFilter])).result).toEqual([]);
    const changes = (await httpCall(server.port, "eth_getFilterChanges", [logFilter])).result as Json[];
    expect(changes.map((l) => l.removed)).toEqual([false, true]);
    // the filter's criteria over the canonical chain now: b1 is gone
    expect((await httpCall(server.port, "eth_getFilterLogs", [logFilter])).result).toEqual([]);
    expect((await httpCall(server.port, "eth_uninstallFilter", [logFilter])).result).toBe(true);
    expect((await httpCall(server.port, "eth_getFilterChanges", [logFilter])).error).toMatchObject({
      code: -32000,
      message: "filter not found",
    });
    expect((await c.call("eth_unsubscribe", [logs])).result).toBe(true);
    expect((await c.call("eth_unsubscribe", [logs])).result).toBe(false);
    c.ws.close();
    await c.until(() => api.subscriptions.size === 0, "subscriptions of a closed connection to go");
    expect((await httpCall(server.port, "eth_uninstallFilter", [blockFilter])).result).toBe(true);
  });

  it("an idle filter expires after 5 minutes; the number of filters is capped", async () => {
    const server = servers[0]!;
    const id = (await httpCall(server.port, "eth_newBlockFilter")).result as string;
    api.filters.sweep(Date.now() + 4 * 60_000);
    expect((await httpCall(server.port, "eth_getFilterChanges", [id])).result).toEqual([]);
    api.filters.sweep(Date.now() + 5 * 60_000 + 1000);
    expect((await httpCall(server.port, "eth_getFilterChanges", [id])).error?.message).toBe(
      "filter not found",
    );
    const small = publicMethods(createRpcContext(h.dev.chain, pools.recover, { limits: { maxFilters: 2 } }));
    const d = new JsonRpcDispatcher(small.methods, { log: () => {} });
    const ask = async (m: string) =>
      JSON.parse((await d.handle(JSON.stringify({ jsonrpc: "2.0", id: 1, method: m })))!);
    expect((await ask("eth_newBlockFilter")).result).toBeDefined();
    expect((await ask("eth_newBlockFilter")).result).toBeDefined();
    expect((await ask("eth_newBlockFilter")).error?.code).toBe(-32000);
    small.close();
  });

  it("the txpool seam's methods answer -32601 until a pool is wired", async () => {
    const server = servers[0]!;
    expect((await httpCall(server.port, "eth_newPendingTransactionFilter")).error?.code).toBe(-32601);
    const c = await Client.open(server.port);
    expect((await c.call("eth_subscribe", ["newPendingTransactions"])).error?.code).toBe(-32601);
    expect((await c.call("eth_subscribe", ["nonsense"])).error?.code).toBe(-32601);
    c.ws.close();
  });

  for (const kind of ["uws", "http"] as const) {
    it(`row 28 (${kind}): a subscriber that stops reading is disconnected at the backpressure bound, memory flat`, async () => {
      const server = await serve(kind, 256 * 1024);
      const c = await Client.open(server.port);
      await c.call("eth_subscribe", ["logs", { address: token }]);
      await c.call("eth_subscribe", ["newHeads"]);
      // a block of 200 token transfers: each head change in or out of it is ~120 KB of log notifications
      const base = h.headHash();
      const nonces = ADDRESSES.map((a) => h.dev.chain.store.account(a)?.nonce ?? 0n);
      const txs = Array.from({ length: 200 }, (_, i) => {
        const k = 1 + (i % 7);
        return bytesToHex(devTx(k, nonces[k]! + BigInt(Math.floor(i / 7)), to, 1n, true));
      });
      const big = hexToBytes(
        await extend(h, base, 100 + servers.length * 10, { transactions: txs, noTxPool: true }),
      );
      const back = hexToBytes(base);
      /** head changes: the head flips between two stored blocks (a real setHead each time) */
      const flip = async (n: number, stopWhenDropped: boolean) => {
        let i = 0;
        for (; i < n && !(stopWhenDropped && server.connections() === 0); i++) {
          h.dev.chain.setHead(i % 2 === 0 ? back : big);
          await tick();
        }
        h.dev.chain.setHead(big);
        await tick();
        return i;
      };
      // warm-up with a reading subscriber (JIT, LMDB pages), then the client stops reading
      await flip(20, false);
      await c.until(() => c.notes.length >= 2000, "warm-up notifications");
      const raw = (c.ws as unknown as { _socket: { pause(): void } })._socket;
      raw.pause();
      gc();
      const before = process.memoryUsage().rss;
      const flips = await flip(2000, true);
      gc();
      const grown = process.memoryUsage().rss - before;
      expect(server.connections(), `still connected after ${flips} head changes`).toBe(0);
      expect(grown, `rss grew ${(grown / 1e6).toFixed(1)} MB over ${flips} head changes`).toBeLessThan(
        32 * 1024 * 1024,
      );
      expect(api.subscriptions.size).toBe(0);
      c.ws.terminate();
    }, 120_000);
  }
});
