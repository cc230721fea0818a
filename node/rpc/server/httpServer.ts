/** The Node `http` + `ws` fallback transport of `startRpcServer` (see server.ts for the contract). */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
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

let nextSessionId = 1_000_000;

function text(res: ServerResponse, status: number, body: string, extra: [string, string][] = []): void {
  res.writeHead(status, {
    "content-type": "text/plain",
    "content-length": Buffer.byteLength(body),
    ...Object.fromEntries(extra),
  });
  res.end(body);
}

function rejectUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(reason)}\r\nconnection: close\r\n\r\n${reason}`,
  );
}

export async function startHttpServer(opts: RpcServerOptions): Promise<RpcServer> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const serveHttp = opts.http ?? true;
  const serveWs = opts.ws ?? true;
  const backpressure = opts.wsBackpressureLimit ?? DEFAULT_WS_BACKPRESSURE;
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.wsMessageLimit ?? DEFAULT_WS_MESSAGE_LIMIT,
  });

  /** Answers, then drops the connection: the rest of an oversized body is never read. */
  const refuseBody = (req: IncomingMessage, res: ServerResponse, cors: [string, string][]) => {
    res.once("finish", () => req.destroy());
    text(res, 413, "request body too large", [...cors, ["connection", "close"]]);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const cors = corsHeaders(opts.corsDomains, req.headers.origin);
    if (req.method === "OPTIONS") {
      res.writeHead(cors.length > 0 ? 204 : 403, Object.fromEntries(cors));
      res.end();
      return;
    }
    if (req.method !== "POST" || !serveHttp) {
      req.resume();
      return text(res, 405, serveHttp ? "use POST" : "use a WebSocket");
    }
    if (!hostAllowed(opts.vhosts, req.headers.host)) {
      req.resume();
      return text(res, 403, "invalid host specified");
    }
    const reason = authReason(opts.jwtSecret, req.headers.authorization);
    if (reason !== null) {
      req.resume();
      return text(res, 401, reason);
    }
    if (Number(req.headers["content-length"] ?? "0") > opts.bodyLimit) return refuseBody(req, res, cors);
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    req.on("data", (c: Buffer) => {
      if (rejected) return;
      size += c.length;
      if (size > opts.bodyLimit) {
        rejected = true;
        chunks.length = 0;
        refuseBody(req, res, cors);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (rejected) return;
      opts.dispatcher.handle(Buffer.concat(chunks).toString("utf8")).then(
        (out) => {
          const body = out ?? "";
          res.writeHead(200, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            ...Object.fromEntries(cors),
          });
          res.end(body);
        },
        (e) => {
          log(`rpc: ${(e as Error).message}`);
          text(res, 500, "internal error");
        },
      );
    });
  };

  const server = createServer({ keepAliveTimeout: 120_000 }, onRequest);
  const sockets = new Set<WebSocket>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!serveWs) return rejectUpgrade(socket, "405 Method Not Allowed", "WebSocket not served on this port");
    if (!originAllowed(opts.wsOrigins, req.headers.origin))
      return rejectUpgrade(socket, "403 Forbidden", "origin not allowed");
    if (sockets.size >= maxConnections)
      return rejectUpgrade(socket, "503 Service Unavailable", "too many connections");
    const reason = authReason(opts.jwtSecret, req.headers.authorization);
    if (reason !== null) return rejectUpgrade(socket, "401 Unauthorized", reason);
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      let closed = false;
      const closeHandlers: (() => void)[] = [];
      const session: RpcSession = {
        id: nextSessionId++,
        send: (out) => {
          if (closed || ws.readyState !== ws.OPEN) return false;
          if (ws.bufferedAmount > backpressure) {
            closed = true;
            ws.terminate();
            return false;
          }
          ws.send(out);
          return true;
        },
        onClose: (cb) => {
          if (closed && ws.readyState === ws.CLOSED) cb();
          else closeHandlers.push(cb);
        },
      };
      ws.on("close", () => {
        closed = true;
        sockets.delete(ws);
        for (const cb of closeHandlers.splice(0)) cb();
      });
      ws.on("error", () => {});
      ws.on("message", (data, isBinary) => {
        if (isBinary) return;
        const msg = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        opts.dispatcher.handle(msg.toString("utf8"), { session }).then(
          (out) => {
            if (out !== null) session.send(out);
          },
          (e) => log(`rpc ws: ${(e as Error).message}`),
        );
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) =>
      reject(
        new FastEvmError(ErrorCode.RPC_SERVER, `cannot listen on ${opts.host}:${opts.port}: ${e.message}`),
      ),
    );
    // exclusive: a port another process holds is EADDRINUSE, never a shared listener
    server.listen({ port: opts.port, host: opts.host, exclusive: true }, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : opts.port;
  return {
    kind: "http",
    host: opts.host,
    port,
    connections: () => sockets.size,
    async close() {
      for (const ws of wss.clients) ws.close(1001, "server shutting down");
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
