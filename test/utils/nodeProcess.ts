/**
 * A real `fastevm node` child process on 127.0.0.1 with OS-chosen ports (port 0): resolves once every
 * server has printed its `… listening on HOST:PORT` line, with the ports; `stop()` sends SIGTERM and waits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "./fixtures.ts";

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly engine: number;
  readonly http?: number;
  readonly ws?: number;
  /** the metrics server's port, with --metrics */
  readonly metrics?: number;
  stderr(): string;
  stop(): Promise<void>;
}

export function startNodeProcess(
  datadir: string,
  args: readonly string[] = [],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "node/cli/main.ts", "node", "--datadir", datadir, "--authrpc.port", "0", ...args],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  let err = "";
  child.stderr!.on("data", (d) => {
    err += String(d);
  });
  const wantHttp = args.includes("--http");
  const wantWs = args.includes("--ws");
  const wantMetrics = args.includes("--metrics");
  const stop = () =>
    new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once("exit", () => res());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node did not start in ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    const port = (name: string) => {
      const m = new RegExp(`${name} listening on [\\d.]+:(\\d+)`).exec(out);
      return m === null ? undefined : Number(m[1]);
    };
    child.stdout!.on("data", (d) => {
      out += String(d);
      const engine = port("engine api");
      const http = port("http rpc");
      const ws = port("ws rpc");
      const metrics = port("metrics");
      if (
        engine === undefined ||
        (wantHttp && http === undefined) ||
        (wantWs && ws === undefined) ||
        (wantMetrics && metrics === undefined)
      )
        return;
      clearTimeout(timer);
      resolve({
        child,
        engine,
        ...(http === undefined ? {} : { http }),
        ...(ws === undefined ? {} : { ws }),
        ...(metrics === undefined ? {} : { metrics }),
        stderr: () => err,
        stop,
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`node exited with ${code}: ${err}`), { exitCode: code, stderr: err }));
    });
  });
}

/** One JSON-RPC POST; the parsed answer. */
export async function rpcPost(
  port: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const r = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return r.json();
}
