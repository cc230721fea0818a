/**
 * The peer of `pnpm perf --vs-anvil`: anvil (Foundry's dev node, on revm), what a developer would run
 * instead of a one-validator chain. Its binary comes from the `@foundry-rs/anvil` dev dependency (the
 * platform package it pulls in). It runs on a free port of 127.0.0.1 with 1 s blocks and a gas limit that
 * does not bind, and the FastEVM dev accounts are given a balance there (`anvil_setBalance`), so the senders
 * are funded from the same keys by the same transfers as on the devnet. Only the process started here is
 * stopped, by PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { devnetAccounts, freePort } from "../node/cli/devnetSetup.ts";
import { ErrorCode, FastEvmError } from "../node/core/errors.ts";
import { stopChild, type Target } from "./devnet.ts";
import { RpcClient } from "./rpc.ts";

/** anvil's block gas limit: 100 × what 4,000 transfers a second use, so it never binds */
export const ANVIL_GAS_LIMIT = 10_000_000_000n;
const DEV_BALANCE = 10n ** 30n;
const READY_TIMEOUT_MS = 30_000;

/** The anvil binary of this platform from node_modules, or a clear error naming what is missing. */
export function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const missing = (why: string) =>
    new FastEvmError(
      ErrorCode.CLI_USAGE,
      `--vs-anvil needs anvil from the @foundry-rs/anvil dev dependency (${pkg}): ${why}; run pnpm install`,
    );
  let bin: string;
  try {
    const wrapper = createRequire(import.meta.url).resolve("@foundry-rs/anvil/package.json");
    bin = join(dirname(createRequire(wrapper).resolve(`${pkg}/package.json`)), "bin", "anvil");
  } catch (e) {
    throw missing((e as Error).message);
  }
  if (!existsSync(bin)) throw missing(`${bin} is missing`);
  return bin;
}

export interface LocalAnvil {
  readonly target: Target;
  readonly pid: number;
  /** what it says it is (web3_clientVersion), e.g. anvil/v1.7.1 */
  readonly version: string;
  stop(): Promise<void>;
}

/** Starts anvil and resolves once it answers JSON-RPC and the dev accounts hold their balance. */
export async function startAnvil(): Promise<LocalAnvil> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    anvilBinary(),
    [
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--block-time",
      "1",
      "--gas-limit",
      String(ANVIL_GAS_LIMIT),
      "--silent",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    if (stderr.length < 4096) stderr += String(d);
  });
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    await stopChild(child, 10_000);
  };
  try {
    const rpc = new RpcClient(url);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null)
        throw new FastEvmError(
          ErrorCode.INVALID_ARGUMENT,
          `anvil exited ${child.exitCode} before serving JSON-RPC: ${stderr.trim()}`,
        );
      const up = await rpc.call<string>("eth_chainId").then(
        () => true,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline)
        throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `anvil did not answer on ${url} within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const accounts = devnetAccounts();
    for (const a of accounts)
      await rpc.call("anvil_setBalance", [a.address, `0x${DEV_BALANCE.toString(16)}`]);
    const version = await rpc.call<string>("web3_clientVersion");
    return {
      version,
      target: { nodes: [{ name: "anvil", rpc: url, ws: `ws://127.0.0.1:${port}` }], accounts },
      pid: child.pid!,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
