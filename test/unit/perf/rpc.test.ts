/**
 * The perf tool's JSON-RPC batching (RpcBatcher over RpcClient.sendBatch) against a small HTTP server, and
 * the request timeout against one that never answers (a node hung under load must not hold the run).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcBatcher, RpcClient } from "../../../perf/rpc.ts";

let server: Server;
let url = "";
const bodies: unknown[] = [];
let mode: "reverse" | "broken" | "silent" = "reverse";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += String(d);
    });
    req.on("end", () => {
      const msg = JSON.parse(body) as { id: number; params: string[] } | { id: number; params: string[] }[];
      bodies.push(msg);
      if (mode === "silent") return; // accepted, never answered
      if (mode === "broken") {
        res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "too large" } }));
        return;
      }
      const answer = (m: { id: number; params: string[] }) =>
        m.params[0] === "bad"
          ? { jsonrpc: "2.0", id: m.id, error: { code: -32000, message: "nonce too low" } }
          : { jsonrpc: "2.0", id: m.id, result: `ok ${m.params[0]}` };
      // answers of a batch come back in reverse order: they must be matched by id
      res.end(JSON.stringify(Array.isArray(msg) ? msg.map(answer).reverse() : answer(msg)));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("RpcBatcher", () => {
  it("gathers sends into batches of at most max and gives each its own reply", async () => {
    bodies.length = 0;
    mode = "reverse";
    const b = new RpcBatcher(new RpcClient(url), 32);
    const params = Array.from({ length: 70 }, (_, i) => (i === 40 ? "bad" : String(i)));
    const replies = await Promise.all(params.map((p) => b.send<string>("eth_sendRawTransaction", [p])));
    expect(bodies.map((m) => (m as unknown[]).length)).toEqual([32, 32, 6]);
    replies.forEach((r, i) => {
      if (i === 40) expect(r).toEqual({ error: { code: -32000, message: "nonce too low" } });
      else expect(r).toEqual({ result: `ok ${i}` });
    });
  });

  it("sends each request alone with max 1", async () => {
    bodies.length = 0;
    const b = new RpcBatcher(new RpcClient(url), 1);
    expect(await b.send("m", ["x"])).toEqual({ result: "ok x" });
    expect(Array.isArray(bodies[0])).toBe(false);
  });

  it("fails every request of a batch the server did not answer as a batch", async () => {
    mode = "broken";
    const b = new RpcBatcher(new RpcClient(url), 4);
    const out = await Promise.allSettled(["a", "b", "c"].map((p) => b.send("m", [p])));
    expect(out.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(String((out[0] as PromiseRejectedResult).reason)).toMatch(/not a batch answer/);
  });

  it("fails a request the node does not answer within the client's timeout, as a transport failure", async () => {
    mode = "silent";
    const t0 = performance.now();
    const b = new RpcBatcher(new RpcClient(url, 300), 4);
    const out = await Promise.allSettled(["a", "b"].map((p) => b.send("m", [p])));
    expect(out.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(String((out[0] as PromiseRejectedResult).reason)).toMatch(/batch of 2: no answer in 300 ms/);
    expect(performance.now() - t0).toBeLessThan(10_000);
    await expect(new RpcClient(url, 300).call("eth_blockNumber")).rejects.toThrow(/no answer in 300 ms/);
    mode = "reverse";
  });
});
