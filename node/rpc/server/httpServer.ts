/** The Node `http` + `ws` fallback transport of `startRpcServer` (see server.ts for the contract). */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { authReason, type RpcServer, type RpcServerOptions } from "./server.ts";

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export async function startHttpServer(opts: RpcServerOptions): Promise<RpcServer> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.bodyLimit });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST") return text(res, 405, "use POST");
    const reason = authReason(opts.jwtSecret, req.headers.authorization);
    if (reason !== null) {
      req.resume();
      return text(res, 401, reason);
    }
    if (Number(req.headers["content-length"] ?? "0") > opts.bodyLimit) {
      req.resume();
      return text(res, 413, "request body too large");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    req.on("data", (c: Buffer) => {
      if (rejected) return;
      size += c.length;
      if (size > opts.bodyLimit) {
        rejected = true;
        text(res, 413, "request body too large");
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
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reason = authReason(opts.jwtSecret, req.headers.authorization);
    if (reason !== null) {
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(reason)}\r\nconnection: close\r\n\r\n${reason}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data, isBinary) => {
        if (isBinary) return;
        const msg = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        opts.dispatcher.handle(msg.toString("utf8")).then(
          (out) => {
            if (out !== null && ws.readyState === ws.OPEN) ws.send(out);
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
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : opts.port;
  return {
    kind: "http",
    host: opts.host,
    port,
    async close() {
      for (const ws of wss.clients) ws.close(1001, "server shutting down");
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
