/**
 * Where the load goes: the nodes (JSON-RPC over HTTP, `newHeads` over WebSocket) and the funded accounts.
 * Three sources: `--rpc URL,…` (with `--ws`), an existing devnet's `DATADIR/devnet.json` (`--devnet`), or a
 * local devnet started here and stopped after the run.
 *
 * `startLocalDevnet` is a stand-in until `fastevm devnet` serves public JSON-RPC and writes the nodes and
 * accounts into devnet.json (DEVNET_JSON.md): it starts the validators itself (devnetSetup.ts, plus
 * `--http --ws` on free ports), writes the same devnet.json keys and reads them back through the same
 * `readDevnet` as `--devnet`. It stops only the processes it started, by PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { NODE_READY_LINE } from "../node/cli/commands/node.ts";
import { type DevnetAccount, FASTEVM_BIN, prepareDevnet, validatorArgs } from "../node/cli/devnetSetup.ts";
import { ErrorCode, FastEvmError } from "../node/core/errors.ts";

export interface TargetNode {
  readonly name: string;
  readonly rpc: string;
  readonly ws?: string | undefined;
  /** its Prometheus endpoint, for the run's memory figures */
  readonly metrics?: string | undefined;
}

export interface Target {
  readonly nodes: readonly TargetNode[];
  /** funded accounts the senders are funded from */
  readonly accounts: readonly DevnetAccount[];
}

/** The devnet.json keys the perf tool reads (DEVNET_JSON.md). */
interface DevnetFile {
  readonly nodes?: readonly { name?: string; rpc?: string; ws?: string; metrics?: string }[];
  readonly accounts?: readonly DevnetAccount[];
}

/** The nodes and accounts of `DATADIR/devnet.json`; a layout without them is refused with the reason. */
export function readDevnet(datadir: string): Target {
  const file = join(resolve(datadir), "devnet.json");
  let json: DevnetFile;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as DevnetFile;
  } catch (e) {
    throw new FastEvmError(ErrorCode.CLI_USAGE, `--devnet: cannot read ${file}: ${(e as Error).message}`);
  }
  const nodes = (json.nodes ?? []).filter((n) => typeof n.rpc === "string");
  if (nodes.length === 0)
    throw new FastEvmError(
      ErrorCode.CLI_USAGE,
      `--devnet: ${file} lists no node with an "rpc" URL (a devnet made before the nodes serve JSON-RPC)`,
    );
  return {
    nodes: nodes.map((n, i) => ({
      name: n.name ?? `node-${i}`,
      rpc: n.rpc!,
      ws: n.ws,
      metrics: typeof n.metrics === "string" ? n.metrics : undefined,
    })),
    accounts: json.accounts ?? [],
  };
}

/** SIGTERM to a child this process started, SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

export interface LocalDevnet {
  readonly root: string;
  readonly target: Target;
  stop(): Promise<void>;
}

/** Starts `n` validators in `root` (made when absent), each serving JSON-RPC; resolves once all serve it. */
export async function startLocalDevnet(root: string, n: number): Promise<LocalDevnet> {
  const layout = await prepareDevnet(root, n);
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((c) => stopChild(c, 20_000)));
  };
  const killAll = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  };
  process.once("exit", killAll);
  try {
    // each serves JSON-RPC on the ports prepareDevnet recorded in devnet.json (nodes[].rpc, .ws)
    await Promise.all(
      layout.validators.map(async (v) => {
        const log = openSync(join(v.datadir, "node.log"), "a");
        const child = spawn(process.execPath, [FASTEVM_BIN, ...validatorArgs(v)], {
          stdio: ["ignore", "pipe", log],
        });
        closeSync(log);
        children.push(child);
        await new Promise<void>((ok, fail) => {
          createInterface({ input: child.stdout! }).on("line", (line) => {
            if (line === NODE_READY_LINE) ok();
          });
          child.once("exit", (code) =>
            fail(
              new FastEvmError(
                ErrorCode.INVALID_ARGUMENT,
                `${v.name} exited ${code} before serving JSON-RPC: see ${v.datadir}/node.log`,
              ),
            ),
          );
        });
      }),
    );
  } catch (e) {
    await stop();
    process.off("exit", killAll);
    throw e;
  }
  return {
    root: layout.root,
    target: readDevnet(layout.root),
    async stop() {
      await stop();
      process.off("exit", killAll);
    },
  };
}
