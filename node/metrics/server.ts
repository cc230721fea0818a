/**
 * The metrics server (`--metrics --metrics.addr 127.0.0.1 --metrics.port 9001`): its own small node:http
 * server, apart from the RPC servers so a flood of RPC calls cannot hide the node's state from Prometheus.
 * - `GET /metrics`: the registry in Prometheus text format;
 * - `GET /health`: 200 while the process is up and its database open, else 503;
 * - `GET /ready`: 200 when the readiness check passes (what it means is the caller's: see node/cli/ops.ts),
 *   else 503.
 * Health and readiness answer JSON `{ "status": "ok" | "unavailable", "reason"?: … }`. The port is
 * exclusive: a port another process holds is a start-up error (METRICS_SERVER), never a shared listener.
 */
import { createServer, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { ErrorCode, FastEvmError } from "../core/errors.ts";

/** A health or readiness verdict: ok, or the reason it is not. */
export type Check = () => { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface MetricsServerOptions {
  readonly host: string;
  /** 0: an OS-chosen port (tests) */
  readonly port: number;
  readonly registry: Registry;
  readonly health: Check;
  readonly ready: Check;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port/metrics` */
  readonly url: string;
  close(): Promise<void>;
}

function answer(res: ServerResponse, check: Check): void {
  let verdict: ReturnType<Check>;
  try {
    verdict = check();
  } catch (e) {
    verdict = { ok: false, reason: (e as Error).message };
  }
  res.writeHead(verdict.ok ? 200 : 503, { "content-type": "application/json" });
  res.end(JSON.stringify(verdict.ok ? { status: "ok" } : { status: "unavailable", reason: verdict.reason }));
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/metrics") {
      o.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": o.registry.contentType });
          res.end(text);
        },
        (e: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics collection failed: ${(e as Error).message}\n`);
        },
      );
    } else if (path === "/health") answer(res, o.health);
    else if (path === "/ready") answer(res, o.ready);
    else
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics, /health, /ready\n");
  });
  // a scrape holds no long connection: idle keep-alive sockets must not delay shutdown
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) =>
      reject(
        new FastEvmError(
          ErrorCode.METRICS_SERVER,
          `cannot serve metrics on ${o.host}:${o.port}: ${e.message}`,
        ),
      ),
    );
    server.listen({ port: o.port, host: o.host, exclusive: true }, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : o.port;
  return {
    host: o.host,
    port,
    url: `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
