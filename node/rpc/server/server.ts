/**
 * One server interface over two transports: uWebSockets.js (the default) and Node's `http` + `ws` (the
 * fallback, chosen with UWS_USE_FALLBACK=1 or when uWS fails to load). Both serve JSON-RPC over HTTP POST
 * and/or WebSocket on one port, bind it exclusively (a taken port is a start-up error, never a shared
 * listener), check the JWT on every HTTP request and on the WebSocket upgrade, and enforce the public-RPC
 * limits before any method runs: body size (413, dropped before it is buffered), Host header against the
 * vhosts (403), WebSocket Origin against the origins (403), WebSocket message size, a WebSocket cap (503)
 * and a per-connection backpressure bound (a subscriber that stops reading is disconnected). The main thread
 * only parses, authenticates and dispatches; methods hand their CPU work to the worker pools.
 */

import type { JsonRpcDispatcher } from "../jsonrpc.ts";
import { verifyJwt } from "../jwt.ts";

/** geth's WebSocket read limit (reliability row 16) and uWS's recommended backpressure bound (row 28). */
export const DEFAULT_WS_MESSAGE_LIMIT = 32 * 1024 * 1024;
export const DEFAULT_WS_BACKPRESSURE = 1024 * 1024;
/** reth's --rpc.max-connections */
export const DEFAULT_MAX_CONNECTIONS = 500;

export interface RpcServerOptions {
  readonly host: string;
  /** 0 = a free port (read it back from `RpcServer.port`) */
  readonly port: number;
  /** null = no authentication (public RPC); the Engine API always has a secret */
  readonly jwtSecret: Uint8Array | null;
  readonly dispatcher: JsonRpcDispatcher;
  readonly bodyLimit: number;
  readonly log?: (msg: string) => void;
  /** serve JSON-RPC over HTTP POST (default true) */
  readonly http?: boolean;
  /** accept WebSocket upgrades (default true) */
  readonly ws?: boolean;
  /** allowed Host header names for HTTP (geth --http.vhosts); absent or "*" = any; IP addresses always pass */
  readonly vhosts?: readonly string[];
  /** origins answered with CORS headers (--http.corsdomain); "*" = any */
  readonly corsDomains?: readonly string[];
  /** allowed WebSocket Origin headers (--ws.origins); absent or "*" = any; no Origin header always passes */
  readonly wsOrigins?: readonly string[];
  /** largest WebSocket message, bytes (default 32 MiB); a bigger one closes the connection */
  readonly wsMessageLimit?: number;
  /** bytes queued for one WebSocket client before it is disconnected (default 1 MiB) */
  readonly wsBackpressureLimit?: number;
  /** open WebSocket connections allowed (an upgrade past it answers 503); HTTP requests are not counted */
  readonly maxConnections?: number;
}

export interface RpcServer {
  readonly kind: "uws" | "http";
  readonly host: string;
  readonly port: number;
  /** WebSocket connections open now */
  connections(): number;
  close(): Promise<void>;
}

/** The 401 reason for an `Authorization` header value, or null when it is accepted. */
export function authReason(secret: Uint8Array | null, header: string | undefined): string | null {
  if (secret === null) return null;
  if (header === undefined || header === "") return "missing token";
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (m === null) return "malformed authorization header";
  return verifyJwt(secret, m[1]!);
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** geth's virtual-host rule: the Host name (port stripped) is in the list, the list has "*", or it is an IP. */
export function hostAllowed(vhosts: readonly string[] | undefined, host: string | undefined): boolean {
  if (vhosts === undefined || vhosts.includes("*")) return true;
  if (host === undefined || host === "") return false;
  const name = host.startsWith("[")
    ? host.slice(1, host.indexOf("]"))
    : host.includes(":")
      ? host.slice(0, host.lastIndexOf(":"))
      : host;
  if (IPV4.test(name) || name.includes(":")) return true;
  return vhosts.some((v) => v.toLowerCase() === name.toLowerCase());
}

/** The WebSocket origin rule: no Origin header (not a browser), "*", or an exact (case-insensitive) match. */
export function originAllowed(origins: readonly string[] | undefined, origin: string | undefined): boolean {
  if (origins === undefined || origins.includes("*") || origin === undefined || origin === "") return true;
  const o = origin.toLowerCase();
  return origins.some((x) => x.toLowerCase() === o || `http://${x.toLowerCase()}` === o);
}

/** CORS response headers for a request's Origin (none when the origin is not allowed). */
export function corsHeaders(
  domains: readonly string[] | undefined,
  origin: string | undefined,
): [string, string][] {
  if (domains === undefined || domains.length === 0 || origin === undefined || origin === "") return [];
  const ok = domains.includes("*") || domains.some((d) => d.toLowerCase() === origin.toLowerCase());
  if (!ok) return [];
  return [
    ["access-control-allow-origin", domains.includes("*") ? "*" : origin],
    ["access-control-allow-methods", "POST, GET, OPTIONS"],
    ["access-control-allow-headers", "content-type, authorization"],
    ["access-control-max-age", "600"],
  ];
}

export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const log = opts.log ?? ((m: string) => console.error(m));
  if (process.env.UWS_USE_FALLBACK !== "1") {
    try {
      const { startUwsServer } = await import("./uwsServer.ts");
      return await startUwsServer(opts);
    } catch (e) {
      if ((e as { code?: string }).code === "RPC_SERVER") throw e;
      log(`uWebSockets.js unavailable (${(e as Error).message}); using the Node http fallback`);
    }
  }
  const { startHttpServer } = await import("./httpServer.ts");
  return startHttpServer(opts);
}
