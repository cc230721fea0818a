/** JSON-RPC 2.0 framing: parse errors, invalid requests, batches, notifications, the batch limit, error mapping. */
import fc from "fast-check";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { ErrorCode, FastEvmError } from "../../../../node/core/errors.ts";
import { createMetrics } from "../../../../node/metrics/metrics.ts";
import { JsonRpcDispatcher, RpcCode, RpcError, type RpcHandler } from "../../../../node/rpc/jsonrpc.ts";

const calls: string[] = [];
const methods = new Map<string, RpcHandler>([
  ["echo", (p) => p],
  ["record", (p) => void calls.push(String(p[0]))],
  [
    "slow",
    async (p) => {
      await new Promise((r) => setTimeout(r, Number(p[0])));
      calls.push(`slow${p[0]}`);
      return p[0];
    },
  ],
  [
    "unknownPayload",
    () => {
      throw new RpcError(RpcCode.UNKNOWN_PAYLOAD);
    },
  ],
  [
    "reverted",
    () => {
      throw new RpcError(RpcCode.EXECUTION_REVERTED, "user error", "0x08c379a0");
    },
  ],
  [
    "paramsWithData",
    () => {
      throw new RpcError(RpcCode.INVALID_PARAMS, "bad", "0x01");
    },
  ],
  [
    "typed",
    () => {
      throw new FastEvmError(ErrorCode.STORAGE, "disk gone");
    },
  ],
  [
    "bug",
    () => {
      throw new TypeError("oops");
    },
  ],
]);
const d = new JsonRpcDispatcher(methods, { batchLimit: 3, log: () => {} });
const ask = async (body: unknown, raw = false) => {
  const out = await d.handle(raw ? (body as string) : JSON.stringify(body));
  return out === null ? null : JSON.parse(out);
};
const req = (method: string, params: unknown[] = [], id: unknown = 1) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});

describe("JsonRpcDispatcher", () => {
  it("answers a call with its id and result", async () => {
    expect(await ask(req("echo", [1, "a"], "x"))).toEqual({ jsonrpc: "2.0", id: "x", result: [1, "a"] });
    expect(await ask({ jsonrpc: "2.0", id: 7, method: "echo" })).toEqual({
      jsonrpc: "2.0",
      id: 7,
      result: [],
    });
  });

  it("request(): an in-process call without JSON text answers as the wire does", async () => {
    expect(await d.request("echo", [1, "a"])).toMatchObject({ result: [1, "a"] });
    expect((await d.request("nope", [])).error?.code).toBe(-32601);
    expect((await d.request("typed", [])).error).toMatchObject({ code: -32000, message: "disk gone" });
    expect((await d.request("bug", [])).error?.code).toBe(-32603);
  });

  it("-32700 for malformed JSON, -32600 for invalid requests", async () => {
    expect(await ask("{not json", true)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error", data: null },
    });
    for (const bad of [
      1,
      "str",
      { id: 1, method: "echo" },
      { jsonrpc: "1.0", id: 1, method: "echo" },
      { jsonrpc: "2.0", id: {}, method: "echo" },
      { jsonrpc: "2.0", id: 1, method: 5 },
    ])
      expect((await ask(bad)).error.code).toBe(-32600);
    expect((await ask([])).error.code).toBe(-32600);
  });

  it("-32601 for unknown methods, -32602 for non-array params", async () => {
    expect((await ask(req("nope"))).error).toMatchObject({ code: -32601, data: null });
    expect((await ask({ jsonrpc: "2.0", id: 1, method: "echo", params: { a: 1 } })).error.code).toBe(-32602);
  });

  it("maps handler errors: RpcError codes, typed errors to -32000 with data, bugs to -32603", async () => {
    expect((await ask(req("unknownPayload"))).error).toEqual({
      code: -38001,
      message: "Unknown payload",
      data: null,
    });
    expect((await ask(req("typed"))).error).toEqual({
      code: -32000,
      message: "disk gone",
      data: { err: "STORAGE" },
    });
    expect((await ask(req("bug"))).error).toEqual({ code: -32603, message: "Internal error", data: null });
  });

  it("lets code 3 (execution reverted) carry its data, and no code other than 3 and -32000", async () => {
    expect((await ask(req("reverted"))).error).toEqual({
      code: 3,
      message: "execution reverted: user error",
      data: "0x08c379a0",
    });
    expect((await ask(req("paramsWithData"))).error).toEqual({
      code: -32602,
      message: "Invalid params: bad",
      data: null,
    });
  });

  it("runs notifications without answering them", async () => {
    calls.length = 0;
    expect(await ask({ jsonrpc: "2.0", method: "record", params: ["n1"] })).toBeNull();
    expect(await ask({ jsonrpc: "2.0", method: "nope" })).toBeNull();
    expect(calls).toEqual(["n1"]);
  });

  it("answers batches in order, one call after another, leaving notifications out", async () => {
    calls.length = 0;
    const out = await ask([
      req("slow", [30], 1),
      { jsonrpc: "2.0", method: "record", params: ["n"] },
      req("slow", [1], 2),
    ]);
    expect(out.map((r: { id: number }) => r.id)).toEqual([1, 2]);
    expect(calls).toEqual(["slow30", "n", "slow1"]);
    expect(await ask([{ jsonrpc: "2.0", method: "record", params: ["m"] }])).toBeNull();
    expect(await ask([1, req("echo")])).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request", data: null } },
      { jsonrpc: "2.0", id: 1, result: [] },
    ]);
  });

  it("refuses a batch above the limit before running any of it", async () => {
    calls.length = 0;
    const out = await ask(
      [1, 2, 3, 4].map((i) => ({ jsonrpc: "2.0", id: i, method: "record", params: [i] })),
    );
    // geth: one error in an array, carrying the id of the batch's first call
    expect(out).toEqual([
      { jsonrpc: "2.0", id: 1, error: { code: -32600, message: "batch too large", data: null } },
    ]);
    expect(calls).toEqual([]);
  });

  it("answers -32003 for the rest of a batch once its answers pass the response limit (row 17)", async () => {
    const small = new JsonRpcDispatcher(methods, { batchResponseLimit: 150, log: () => {} });
    const big = "x".repeat(80);
    const out = JSON.parse(
      (await small.handle(JSON.stringify([1, 2, 3].map((i) => req("echo", [big], i)))))!,
    ) as { id: number; result?: unknown; error?: { code: number } }[];
    expect(out.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(out[0]!.result).toEqual([big]);
    expect(out[1]!.result).toEqual([big]);
    expect(out[2]!.error?.code).toBe(-32003);
  });

  it("refuses a method name over 2048 bytes (row 14)", async () => {
    expect((await ask(req("m".repeat(2049)))).error.code).toBe(-32600);
    expect((await ask(req("m".repeat(2048)))).error.code).toBe(-32601);
  });

  it("answers any JSON text with a well-formed response or nothing, never throwing (seeded)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string()), async (text) => {
        const out = await d.handle(text);
        if (out === null) return;
        const parsed = JSON.parse(out);
        for (const r of Array.isArray(parsed) ? parsed : [parsed]) {
          expect(r.jsonrpc).toBe("2.0");
          expect("result" in r !== "error" in r).toBe(true);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe("JsonRpcDispatcher metrics", () => {
  it("counts calls by method and outcome, times them, and keeps unknown names out of the labels", async () => {
    const metrics = createMetrics(new Registry());
    const md = new JsonRpcDispatcher(methods, { log: () => {}, metrics: metrics.rpc, server: "http" });
    const call = (m: string) => md.handle(JSON.stringify(req(m)));
    expect(md.lastCallMs).toBeUndefined();
    await call("echo");
    await call("echo");
    await call("unknownPayload");
    await call("typed");
    await call("bug");
    await call("no_such_method_1");
    await call("no_such_method_2");
    expect(md.lastCallMs).toBeGreaterThan(0);
    const text = await metrics.registry.metrics();
    const at = (series: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(`${series} `))
          ?.slice(series.length + 1),
      );
    expect(at('fastevm_rpc_requests_total{server="http",method="echo",outcome="ok"}')).toBe(2);
    expect(at('fastevm_rpc_requests_total{server="http",method="unknownPayload",outcome="error"}')).toBe(1);
    expect(at('fastevm_rpc_requests_total{server="http",method="typed",outcome="error"}')).toBe(1);
    expect(at('fastevm_rpc_requests_total{server="http",method="bug",outcome="internal_error"}')).toBe(1);
    expect(at('fastevm_rpc_requests_total{server="http",method="unknown",outcome="not_found"}')).toBe(2);
    expect(at('fastevm_rpc_request_seconds_count{server="http",method="echo"}')).toBe(2);
    expect(text).not.toContain("no_such_method");
  });
});
