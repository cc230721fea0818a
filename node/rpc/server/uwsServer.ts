/** The uWebSockets.js transport of `startRpcServer` (see server.ts for the contract). */

import type * as UwsTypes from "uWebSockets.js";
import { createRequire } from "node:module";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { RpcSession } from "../jsonrpc.ts";
import {
  authReason,
  corsHeaders,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_WS_BACKPRESSURE,
  DEFAULT_WS_MESSAGE_LIMIT,
  hostAllowed,
  originAllowed,
  type RpcServer,
  type RpcServerOptions,
} from "./server.ts";

type Uws = typeof UwsTypes;

/** us_listen option: no SO_REUSEPORT, so a port another process holds fails to bind (uSockets). */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;

function loadUws(): Uws {
  return createRequire(import.meta.url)("uWebSockets.js") as Uws;
}

interface WsData {
  session: RpcSession | null;
  closed: boolean;
  readonly closeHandlers: (() => void)[];
}

let nextSessionId = 1;

export async function startUwsServer(opts: RpcServerOptions): Promise<RpcServer> {
  const uws = loadUws();
  const log = opts.log ?? ((m: string) => console.error(m));
  const app = uws.App();
  const dec = new TextDecoder();
  const serveHttp = opts.http ?? true;
  const serveWs = opts.ws ?? true;
  const wsLimit = opts.wsMessageLimit ?? DEFAULT_WS_MESSAGE_LIMIT;
  const backpressure = opts.wsBackpressureLimit ?? DEFAULT_WS_BACKPRESSURE;
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;

  app.options("/*", (res, req) => {
    const cors = corsHeaders(opts.corsDomains, req.getHeader("origin"));
    res.cork(() => {
      res.writeStatus(cors.length > 0 ? "204 No Content" : "403 Forbidden");
      for (const [k, v] of cors) res.writeHeader(k, v);
      res.end();
    });
  });

  app.post("/*", (res, req) => {
    const host = req.getHeader("host");
    const cors = corsHeaders(opts.corsDomains, req.getHeader("origin"));
    const reason = authReason(opts.jwtSecret, req.getHeader("authorization"));
    const declared = Number(req.getHeader("content-length") || "0");
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    /** `close`: drop the connection after answering (the rest of an oversized body is never read). */
    const reply = (status: string, body: string, json: boolean, close = false) => {
      if (aborted) return;
      aborted = close;
      res.cork(() => {
        res.writeStatus(status);
        res.writeHeader("content-type", json ? "application/json" : "text/plain");
        for (const [k, v] of cors) res.writeHeader(k, v);
        res.end(body, close);
      });
    };
    if (!serveHttp) return reply("405 Method Not Allowed", "use a WebSocket", false, true);
    if (!hostAllowed(opts.vhosts, host)) return reply("403 Forbidden", "invalid host specified", false);
    if (reason !== null) return reply("401 Unauthorized", reason, false);
    if (declared > opts.bodyLimit)
      return reply("413 Payload Too Large", "request body too large", false, true);
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    res.onData((ab, isLast) => {
      if (rejected) return;
      size += ab.byteLength;
      if (size > opts.bodyLimit) {
        rejected = true;
        chunks.length = 0;
        return reply("413 Payload Too Large", "request body too large", false, true);
      }
      // uWS reuses the ArrayBuffer after this callback returns: copy.
      chunks.push(Buffer.from(new Uint8Array(ab).slice()));
      if (!isLast) return;
      const text = dec.decode(Buffer.concat(chunks));
      opts.dispatcher.handle(text).then(
        (out) => reply("200 OK", out ?? "", out !== null),
        (e) => {
          log(`rpc: ${(e as Error).message}`);
          reply("500 Internal Server Error", "internal error", false);
        },
      );
    });
  });
  app.any("/*", (res) => {
    res.writeStatus("405 Method Not Allowed").end("use POST");
  });

  const sockets = new Set<UwsTypes.WebSocket<WsData>>();
  const dropSocket = (ws: UwsTypes.WebSocket<WsData>, code: number, why: string) => {
    const d = ws.getUserData();
    if (d.closed) return;
    d.closed = true;
    ws.end(code, why);
  };
  app.ws<WsData>("/*", {
    maxPayloadLength: wsLimit,
    maxBackpressure: backpressure,
    closeOnBackpressureLimit: 1,
    idleTimeout: 0,
    compression: uws.DISABLED,
    upgrade: (res, req, context) => {
      const deny = (status: string, why: string): void => void res.writeStatus(status).end(why, true);
      if (!serveWs) return deny("405 Method Not Allowed", "WebSocket not served on this port");
      if (!originAllowed(opts.wsOrigins, req.getHeader("origin")))
        return deny("403 Forbidden", "origin not allowed");
      if (sockets.size >= maxConnections) return deny("503 Service Unavailable", "too many connections");
      const reason = authReason(opts.jwtSecret, req.getHeader("authorization"));
      if (reason !== null) return deny("401 Unauthorized", reason);
      return res.upgrade<WsData>(
        { session: null, closed: false, closeHandlers: [] },
        req.getHeader("sec-websocket-key"),
        req.getHeader("sec-websocket-protocol"),
        req.getHeader("sec-websocket-extensions"),
        context,
      );
    },
    open: (ws) => {
      sockets.add(ws);
      const d = ws.getUserData();
      d.session = {
        id: nextSessionId++,
        send: (text) => {
          if (d.closed) return false;
          if (ws.getBufferedAmount() > backpressure) {
            dropSocket(ws, 1008, "backpressure limit");
            return false;
          }
          const status = ws.send(text, false);
          if (status === 2) {
            dropSocket(ws, 1008, "backpressure limit");
            return false;
          }
          return true;
        },
        onClose: (cb) => {
          if (d.closed) cb();
          else d.closeHandlers.push(cb);
        },
      };
    },
    close: (ws) => {
      sockets.delete(ws);
      const d = ws.getUserData();
      d.closed = true;
      for (const cb of d.closeHandlers.splice(0)) cb();
    },
    message: (ws, message) => {
      const text = dec.decode(new Uint8Array(message).slice());
      const session = ws.getUserData().session;
      opts.dispatcher.handle(text, session === null ? {} : { session }).then(
        (out) => {
          if (out !== null) session?.send(out);
        },
        (e) => log(`rpc ws: ${(e as Error).message}`),
      );
    },
  });

  const listenSocket = await new Promise<UwsTypes.us_listen_socket | false>((resolve) => {
    // uWS.js accepts (host, port, options, cb); the bundled typings only name (port, options, cb).
    (
      app.listen as unknown as (
        h: string,
        p: number,
        o: number,
        cb: (s: UwsTypes.us_listen_socket | false) => void,
      ) => void
    )(opts.host, opts.port, LIBUS_LISTEN_EXCLUSIVE_PORT, (s) => resolve(s));
  });
  if (listenSocket === false)
    throw new FastEvmError(
      ErrorCode.RPC_SERVER,
      `cannot listen on ${opts.host}:${opts.port} (address in use or not available)`,
    );
  const port = uws.us_socket_local_port(listenSocket as unknown as UwsTypes.us_socket);
  return {
    kind: "uws",
    host: opts.host,
    port,
    connections: () => sockets.size,
    async close() {
      uws.us_listen_socket_close(listenSocket);
      for (const ws of [...sockets]) dropSocket(ws, 1001, "server shutting down");
    },
  };
}
