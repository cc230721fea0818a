/**
 * The public-RPC limits of both transports (uWebSockets.js and the node:http fallback), each against
 * reliability.md's row: an exclusive port (a second bind on a taken port is a start-up error), the 5 MiB
 * body limit (413, a 100 MiB chunked stream dropped before it is buffered, memory flat: row 15), the
 * 1000-call batch (row 14), the 32 MiB WebSocket message (128 KiB accepted, one byte over closes: row 16),
 * Host against the vhosts (403), WebSocket Origin against the origins (403), CORS, and the connection cap
 * (row 27/39).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { DEFAULT_BODY_LIMIT, JsonRpcDispatcher, type RpcHandler } from "../../../../../node/rpc/jsonrpc.ts";
import {
  DEFAULT_WS_MESSAGE_LIMIT,
  type RpcServer,
  type RpcServerOptions,
  startRpcServer,
} from "../../../../../node/rpc/server/server.ts";

const methods = new Map<string, RpcHandler>([["echo", (p) => p]]);

async function start(kind: "uws" | "http", opts: Partial<RpcServerOptions> = {}): Promise<RpcServer> {
  const prev = process.env.UWS_USE_FALLBACK;
  process.env.UWS_USE_FALLBACK = kind === "http" ? "1" : "0";
  try {
    return await startRpcServer({
      host: "127.0.0.1",
      port: 0,
      jwtSecret: null,
      dispatcher: new JsonRpcDispatcher(methods, { log: () => {} }),
      bodyLimit: DEFAULT_BODY_LIMIT,
      log: () => {},
      ...opts,
    });
  } finally {
    if (prev === undefined) delete process.env.UWS_USE_FALLBACK;
    else process.env.UWS_USE_FALLBACK = prev;
  }
}

function post(
  port: number,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/",
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += String(d);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Streams up to `total` bytes of chunked body; resolves with the status (0: connection dropped) and bytes sent. */
function stream(port: number, total: number): Promise<{ status: number; sent: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = (status: number) => {
      if (done) return;
      done = true;
      req.destroy();
      resolve({ status, sent });
    };
    const req = request(
      { host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        finish(res.statusCode ?? 0);
      },
    );
    req.on("error", () => finish(0));
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

function wsOpen(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, maxPayload: 64 * 1024 * 1024 });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) =>
      reject(Object.assign(new Error("refused"), { status: res.statusCode })),
    );
    ws.once("error", reject);
  });
}

function wsCall(ws: WebSocket, payload: string): Promise<{ reply?: string; closed?: number }> {
  return new Promise((resolve) => {
    ws.once("message", (d) => resolve({ reply: String(d) }));
    ws.once("close", (code) => resolve({ closed: code }));
    ws.send(payload);
  });
}

for (const kind of ["uws", "http"] as const) {
  describe(`public RPC limits (${kind})`, () => {
    let server: RpcServer;
    beforeAll(async () => {
      server = await start(kind, {
        vhosts: ["localhost"],
        wsOrigins: ["http://good.example"],
        corsDomains: ["http://good.example"],
        maxConnections: 3,
      });
    });
    afterAll(() => server.close());

    it("binds exclusively: a second server on the taken port fails to start, on either transport", async () => {
      for (const other of ["uws", "http"] as const) {
        await expect(start(other, { port: server.port })).rejects.toMatchObject({ code: "RPC_SERVER" });
      }
      // and the first still answers
      expect(
        (await post(server.port, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: [1] })))
          .status,
      ).toBe(200);
    });

    it("row 15: a body over 5 MiB answers 413; a 100 MiB stream is dropped early and memory stays flat", async () => {
      const big = "x".repeat(DEFAULT_BODY_LIMIT + 1);
      expect((await post(server.port, big)).status).toBe(413);
      global.gc?.();
      const before = process.memoryUsage().rss;
      const r = await stream(server.port, 100 * 1024 * 1024);
      // the server answered 413 or dropped the connection long before the 100 MiB were sent
      expect([0, 413]).toContain(r.status);
      expect(r.sent).toBeLessThan(100 * 1024 * 1024);
      expect(process.memoryUsage().rss - before).toBeLessThan(20 * 1024 * 1024);
      expect(
        (await post(server.port, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "echo" }))).status,
      ).toBe(200);
    });

    it("row 14: a batch of 1001 calls is refused with one -32600; 1000 are answered", async () => {
      const batch = (n: number) =>
        JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i + 1, method: "echo" })));
      const over = JSON.parse((await post(server.port, batch(1001))).text);
      expect(over).toEqual([
        { jsonrpc: "2.0", id: 1, error: { code: -32600, message: "batch too large", data: null } },
      ]);
      expect(JSON.parse((await post(server.port, batch(1000))).text)).toHaveLength(1000);
    });

    it("vhosts: a foreign Host header gets 403, localhost and IP addresses pass", async () => {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo" });
      expect((await post(server.port, body, { host: "evil.example" })).status).toBe(403);
      expect((await post(server.port, body, { host: `localhost:${server.port}` })).status).toBe(200);
      expect((await post(server.port, body, { host: `127.0.0.1:${server.port}` })).status).toBe(200);
    });

    it("CORS: an allowed origin gets the headers and a preflight answer, another none", async () => {
      const pre = await fetch(`http://127.0.0.1:${server.port}/`, {
        method: "OPTIONS",
        headers: { origin: "http://good.example" },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe("http://good.example");
      const bad = await fetch(`http://127.0.0.1:${server.port}/`, {
        method: "POST",
        headers: { origin: "http://evil.example", "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo" }),
      });
      expect(bad.headers.get("access-control-allow-origin")).toBeNull();
    });

    it("WS origins: a mismatched Origin is refused with 403, an allowed one and none pass", async () => {
      const url = `ws://127.0.0.1:${server.port}`;
      await expect(wsOpen(url, { origin: "http://evil.example" })).rejects.toMatchObject({ status: 403 });
      (await wsOpen(url, { origin: "http://good.example" })).close();
      (await wsOpen(url)).close();
    });

    it("row 16: a 128 KiB WebSocket message is served, one over 32 MiB closes the connection", async () => {
      const ws = await wsOpen(`ws://127.0.0.1:${server.port}`);
      const payload = "a".repeat(128 * 1024);
      const ok = await wsCall(
        ws,
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: [payload] }),
      );
      expect(JSON.parse(ok.reply!).result).toEqual([payload]);
      const over = await wsCall(ws, "b".repeat(DEFAULT_WS_MESSAGE_LIMIT + 1));
      expect(over.closed).toBeDefined();
      expect(over.reply).toBeUndefined();
    });

    it("connection cap: the 4th WebSocket of a cap of 3 is refused with 503", async () => {
      const url = `ws://127.0.0.1:${server.port}`;
      // the WebSockets earlier tests closed may still be closing on a loaded machine: start from none
      await vi.waitFor(() => expect(server.connections()).toBe(0), { timeout: 10_000, interval: 20 });
      const open = [await wsOpen(url), await wsOpen(url), await wsOpen(url)];
      await expect(wsOpen(url)).rejects.toMatchObject({ status: 503 });
      for (const w of open) w.close();
    });
  });
}
