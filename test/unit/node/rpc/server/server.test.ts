/**
 * Both transports (uWebSockets.js and the Node http + ws fallback) behind `startRpcServer`: JWT on every
 * HTTP request and at the WebSocket upgrade (±59 s accepted; ±61 s, missing iat, wrong secret, alg none,
 * HS384, no header refused with 401 and a reason), the body limit (413) before any work, GET refused,
 * JSON-RPC over HTTP and WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineHttpClient, EngineWsClient } from "../../../../../node/rpc/engine/client.ts";
import { JsonRpcDispatcher, type RpcHandler } from "../../../../../node/rpc/jsonrpc.ts";
import { engineToken, signJwt } from "../../../../../node/rpc/jwt.ts";
import { type RpcServer, startRpcServer } from "../../../../../node/rpc/server/server.ts";

const secret = new Uint8Array(32).fill(0x73);
/**
 * A token whose iat is exactly now + `drift` seconds (a fractional NumericDate, RFC 7519), so the ±59 / ±61 s
 * boundary cases keep a full second of margin for a loaded machine.
 */
const driftToken = (drift: number) => signJwt(secret, { iat: Date.now() / 1000 + drift });
let calls = 0;
const methods = new Map<string, RpcHandler>([
  [
    "echo",
    (p) => {
      calls++;
      return p;
    },
  ],
]);
const now = () => Math.floor(Date.now() / 1000);

/** Made fresh at each use: a token signed earlier drifts with the clock. */
const badTokens = (): [string, string | null][] => [
  ["no header", null],
  ["61 s old", driftToken(-61)],
  ["61 s ahead", driftToken(61)],
  ["missing iat", signJwt(secret, {})],
  ["wrong secret", engineToken(new Uint8Array(32).fill(1))],
  ["alg none", signJwt(secret, { iat: now() }, "none")],
  ["HS384", signJwt(secret, { iat: now() }, "HS384")],
];

for (const kind of ["uws", "http"] as const) {
  describe(`rpc server (${kind})`, () => {
    let server: RpcServer;
    let http: EngineHttpClient;
    let url: string;
    beforeAll(async () => {
      const prev = process.env.UWS_USE_FALLBACK;
      process.env.UWS_USE_FALLBACK = kind === "http" ? "1" : "0";
      server = await startRpcServer({
        host: "127.0.0.1",
        port: 0,
        jwtSecret: secret,
        dispatcher: new JsonRpcDispatcher(methods, { log: () => {} }),
        bodyLimit: 64 * 1024,
        log: () => {},
      });
      if (prev === undefined) delete process.env.UWS_USE_FALLBACK;
      else process.env.UWS_USE_FALLBACK = prev;
      url = `127.0.0.1:${server.port}`;
      http = new EngineHttpClient(`http://${url}`, secret);
    });
    afterAll(() => server.close());

    it(`runs on ${kind}`, () => {
      expect(server.kind).toBe(kind);
    });

    it("accepts tokens within ±59 s over HTTP", async () => {
      for (const drift of [-59, 0, 59]) {
        const r = await http.post(
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: [drift] }),
          driftToken(drift),
        );
        expect(r.status).toBe(200);
        expect(JSON.parse(r.text)).toEqual({ jsonrpc: "2.0", id: 1, result: [drift] });
      }
    });

    it("refuses bad tokens over HTTP with 401 and a reason, running nothing", async () => {
      const before = calls;
      for (const [name, token] of badTokens()) {
        const r = await http.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo" }), token);
        expect(r.status, name).toBe(401);
        expect(r.text.length, name).toBeGreaterThan(0);
      }
      expect(calls).toBe(before);
    });

    it("refuses a body above the limit with 413 before dispatching, and GET with 405", async () => {
      const before = calls;
      const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(70 * 1024)] });
      expect((await http.post(big)).status).toBe(413);
      expect(calls).toBe(before);
      const get = await fetch(`http://${url}/`, {
        headers: { authorization: `Bearer ${engineToken(secret)}` },
      });
      expect(get.status).toBe(405);
    });

    it("serves JSON-RPC over an authenticated WebSocket, and refuses bad upgrades with 401", async () => {
      const ws = await EngineWsClient.connect(`ws://${url}`, secret);
      expect(await ws.call("echo", [1, 2])).toEqual([1, 2]);
      expect(await ws.call("echo", ["again"])).toEqual(["again"]);
      ws.close();
      for (const [name, token] of badTokens()) {
        const err = await EngineWsClient.connect(`ws://${url}`, secret, token).then(
          (c) => {
            c.close();
            return null;
          },
          (e: { rpcCode?: number }) => e,
        );
        expect(err?.rpcCode, name).toBe(-401);
      }
    });
  });
}
