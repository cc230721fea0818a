/** The uWebSockets.js transport of `startRpcServer` (see server.ts for the contract). */

import type * as UwsTypes from "uWebSockets.js";
import { createRequire } from "node:module";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { authReason, type RpcServer, type RpcServerOptions } from "./server.ts";

type Uws = typeof UwsTypes;

const JSON_HEADERS: readonly [string, string][] = [["content-type", "application/json"]];

function loadUws(): Uws {
  return createRequire(import.meta.url)("uWebSockets.js") as Uws;
}

export async function startUwsServer(opts: RpcServerOptions): Promise<RpcServer> {
  const uws = loadUws();
  const log = opts.log ?? ((m: string) => console.error(m));
  const app = uws.App();
  const dec = new TextDecoder();

  app.post("/*", (res, req) => {
    const reason = authReason(opts.jwtSecret, req.getHeader("authorization"));
    const declared = Number(req.getHeader("content-length") || "0");
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const reply = (status: string, body: string, json: boolean) => {
      if (aborted) return;
      res.cork(() => {
        res.writeStatus(status);
        if (json) for (const [k, v] of JSON_HEADERS) res.writeHeader(k, v);
        else res.writeHeader("content-type", "text/plain");
        res.end(body);
      });
    };
    if (reason !== null) return reply("401 Unauthorized", reason, false);
    if (declared > opts.bodyLimit) return reply("413 Payload Too Large", "request body too large", false);
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    res.onData((ab, isLast) => {
      if (rejected) return;
      size += ab.byteLength;
      if (size > opts.bodyLimit) {
        rejected = true;
        return reply("413 Payload Too Large", "request body too large", false);
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

  interface WsData {
    readonly open: true;
  }
  const sockets = new Set<UwsTypes.WebSocket<WsData>>();
  app.ws<WsData>("/*", {
    maxPayloadLength: opts.bodyLimit,
    idleTimeout: 0,
    compression: uws.DISABLED,
    upgrade: (res, req, context) => {
      const reason = authReason(opts.jwtSecret, req.getHeader("authorization"));
      if (reason !== null) {
        res.writeStatus("401 Unauthorized").end(reason);
        return;
      }
      res.upgrade<WsData>(
        { open: true },
        req.getHeader("sec-websocket-key"),
        req.getHeader("sec-websocket-protocol"),
        req.getHeader("sec-websocket-extensions"),
        context,
      );
    },
    open: (ws) => {
      sockets.add(ws);
    },
    close: (ws) => {
      sockets.delete(ws);
    },
    message: (ws, message) => {
      const text = dec.decode(new Uint8Array(message).slice());
      opts.dispatcher.handle(text).then(
        (out) => {
          if (out !== null && sockets.has(ws)) ws.send(out, false);
        },
        (e) => log(`rpc ws: ${(e as Error).message}`),
      );
    },
  });

  const listenSocket = await new Promise<UwsTypes.us_listen_socket | false>((resolve) => {
    app.listen(opts.host, opts.port, (s) => resolve(s));
  });
  if (listenSocket === false)
    throw new FastEvmError(ErrorCode.RPC_SERVER, `cannot listen on ${opts.host}:${opts.port}`);
  const port = uws.us_socket_local_port(listenSocket as unknown as UwsTypes.us_socket);
  return {
    kind: "uws",
    host: opts.host,
    port,
    async close() {
      uws.us_listen_socket_close(listenSocket);
      for (const ws of [...sockets]) ws.end(1001, "server shutting down");
    },
  };
}
