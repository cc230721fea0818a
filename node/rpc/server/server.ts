/**
 * One server interface over two transports: uWebSockets.js (the default) and Node's `http` + `ws` (the
 * fallback, chosen with UWS_USE_FALLBACK=1 or when uWS fails to load). Both serve JSON-RPC over HTTP POST
 * and WebSocket on the same port, check the JWT on every HTTP request and on the WebSocket upgrade, and
 * refuse bodies above the limit before parsing them. The main thread only parses, authenticates and
 * dispatches; methods hand their CPU work to the worker pools.
 */

import type { JsonRpcDispatcher } from "../jsonrpc.ts";
import { verifyJwt } from "../jwt.ts";

export interface RpcServerOptions {
  readonly host: string;
  /** 0 = a free port (read it back from `RpcServer.port`) */
  readonly port: number;
  /** null = no authentication (public RPC); the Engine API always has a secret */
  readonly jwtSecret: Uint8Array | null;
  readonly dispatcher: JsonRpcDispatcher;
  readonly bodyLimit: number;
  readonly log?: (msg: string) => void;
}

export interface RpcServer {
  readonly kind: "uws" | "http";
  readonly host: string;
  readonly port: number;
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
