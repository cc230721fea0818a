/**
 * `fastevm devnet [--validators N] [--datadir DIR] [--http.port 8545] [--duration SECONDS]`: the one-command
 * local network. N validators (default 4) run as separate `fastevm node --validator` processes on loopback,
 * each with its execution node in-process, real libp2p and LMDB, each serving the public JSON-RPC over HTTP
 * and WebSocket (validator 0 on 8545 / 8546 when free, else the next free ports; `--http.port 0`: OS-chosen);
 * keys, committee and datadirs are made on first start (devnetSetup.ts) and reused after, and
 * DIR/devnet.json lists every node's endpoints and the dev accounts. Prints each validator's JSON-RPC,
 * Engine API and libp2p endpoints and the funded dev accounts with their private keys (as anvil does);
 * on Ctrl-C / SIGTERM (or after --duration) stops them and prints each one's head block and last commit;
 * exits 0 when every validator stopped with its summary, 1 otherwise. Validators run in their own process
 * group, so each gets exactly one SIGTERM from here.
 * Each validator's own output goes to DIR/validator-i/node.log. `--fullnodes N` adds N full nodes
 * (`fastevm node --sync --bootnodes <every validator>`, DIR/fullnode-i/, role "fullnode" in devnet.json):
 * no consensus keys, they follow the validators by block sync and serve the same public JSON-RPC.
 *
 * `--split` runs the docker-compose topology (node/cli/topology.ts) as local processes instead: per validator
 * an execution node (`fastevm node`) and a consensus client (`fastevm consensus --execution-url …
 * --jwt-secret …`), with the same commands and flags as the compose services, on loopback ports; the layout
 * (node/cli/splitDevnet.ts) lists both processes of each pair with their metrics URLs in DIR/devnet.json;
 * their output goes to DIR/validator-i/execution.log and consensus.log, and DIR/prometheus.yml is the scrape
 * configuration of its processes. `--init-only` makes the layout and
 * exits (with `--compose`: laid out for the compose services — the `init` service runs this).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { DEVNET_CHAIN_ID, DEVNET_GENESIS_PATH } from "../../core/chain/devnet.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { CliCommand } from "../command.ts";
import {
  DEVNET_HTTP_PORT,
  type DevnetFullNode,
  type DevnetLayout,
  type DevnetValidator,
  FASTEVM_BIN,
  fullNodeArgs,
  LAYOUT_FILE,
  metricsUrl,
  prepareDevnet,
  validatorArgs,
} from "../devnetSetup.ts";
import { prepareSplitDevnet, type SplitLayout, splitServices } from "../splitDevnet.ts";
import type { ServiceSpec } from "../topology.ts";
import { NODE_READY_LINE } from "./node.ts";

const USAGE =
  "usage: fastevm devnet [--validators 4] [--fullnodes 0] [--datadir .devnet] [--http.port 8545] [--duration SECONDS] [--split [--init-only [--compose]]]";

/** The stdout lines of `fastevm node` whose endpoint the devnet prints. */
const ENDPOINT_LINES = [
  "engine api listening on ",
  "http rpc listening on ",
  "ws rpc listening on ",
  "p2p listening ",
] as const;

interface Running {
  readonly v: DevnetValidator | DevnetFullNode;
  readonly child: ChildProcess;
  readonly lines: Map<string, string>;
  ready: Promise<void>;
  exited: Promise<number | null>;
  summary?:
    | { headNumber: number; headHash: string; lastCommitIndex: number; lastExecutedCommit: number }
    | { headNumber: number; headHash: string }
    | undefined;
}

function usage(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.CLI_USAGE, `${msg}\n${USAGE}`);
}

/** Starts one node process; its stdout lines are parsed for endpoints and the closing summary. */
function launch(v: DevnetValidator | DevnetFullNode, args: readonly string[]): Running {
  const log = openSync(join(v.datadir, "node.log"), "a");
  // Its own process group: Ctrl-C in the terminal reaches only the devnet, which stops each validator with
  // one SIGTERM (a second signal during its shutdown would kill it before it prints its summary).
  const child = spawn(process.execPath, [FASTEVM_BIN, ...args], {
    stdio: ["ignore", "pipe", log],
    detached: true,
  });
  closeSync(log);
  const r: Running = { v, child, lines: new Map(), ready: Promise.resolve(), exited: Promise.resolve(null) };
  r.exited = new Promise((done) => child.once("exit", (code) => done(code)));
  r.ready = new Promise((done, fail) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      for (const key of ENDPOINT_LINES)
        if (line.startsWith(key)) r.lines.set(key.trim(), line.slice(key.length).split(" ")[0]!);
      if (line.startsWith("validator summary ")) r.summary = JSON.parse(line.slice(18)) as Running["summary"];
      if (line.startsWith("fullnode summary ")) r.summary = JSON.parse(line.slice(17)) as Running["summary"];
      if (line === NODE_READY_LINE) done();
    });
    void r.exited.then((code) =>
      fail(
        new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${v.name} exited ${code}: see ${v.datadir}/node.log`),
      ),
    );
  });
  return r;
}

async function stopAll(running: readonly Running[]): Promise<void> {
  for (const r of running) if (r.child.exitCode === null) r.child.kill("SIGTERM");
  await Promise.all(
    running.map(async (r) => {
      const t = setTimeout(() => r.child.kill("SIGKILL"), 20_000);
      await r.exited;
      clearTimeout(t);
    }),
  );
}

/** The funded dev accounts and their private keys, as anvil prints them (the keys are public). */
function printAccounts(layout: DevnetLayout): void {
  const genesis = JSON.parse(readFileSync(DEVNET_GENESIS_PATH, "utf8")) as {
    alloc: Record<string, { balance?: string }>;
  };
  const balances = new Map(
    Object.entries(genesis.alloc).map(([a, v]) => [
      a.toLowerCase().replace(/^0x/, ""),
      BigInt(v.balance ?? 0),
    ]),
  );
  const eth = (a: string) => {
    const wei = balances.get(a.toLowerCase().slice(2)) ?? 0n;
    const whole = wei / 10n ** 18n;
    const frac = (wei % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
    return `${whole}${frac === "" ? "" : `.${frac}`} ETH`;
  };
  console.log("\nAvailable Accounts\n==================");
  for (const [i, a] of layout.accounts.entries()) console.log(`(${i}) ${a.address} (${eth(a.address)})`);
  console.log("\nPrivate Keys (public dev keys: never use them where value is at stake)\n==================");
  for (const [i, a] of layout.accounts.entries()) console.log(`(${i}) ${a.privateKey}`);
  console.log("");
}

export const devnetCommand: CliCommand = {
  name: "devnet",
  summary: "run a local network: N validator processes (consensus + execution) on loopback",
  usage: USAGE,
  async run(argv) {
    let values: {
      validators?: string;
      fullnodes?: string;
      datadir?: string;
      duration?: string;
      "http.port"?: string;
      split?: boolean;
      "init-only"?: boolean;
      compose?: boolean;
    };
    try {
      values = parseArgs({
        args: [...argv],
        options: {
          validators: { type: "string" },
          fullnodes: { type: "string" },
          datadir: { type: "string" },
          duration: { type: "string" },
          "http.port": { type: "string" },
          split: { type: "boolean" },
          "init-only": { type: "boolean" },
          compose: { type: "boolean" },
        },
      }).values;
    } catch (e) {
      throw usage((e as Error).message);
    }
    const n = Number(values.validators ?? 4);
    if (!Number.isInteger(n) || n < 1 || n > 32) throw usage("--validators must be 1..32");
    const fullnodes = Number(values.fullnodes ?? 0);
    if (!Number.isInteger(fullnodes) || fullnodes < 0 || fullnodes > 16)
      throw usage("--fullnodes must be 0..16");
    if (fullnodes > 0 && values.split === true) throw usage("--fullnodes does not go with --split (yet)");
    const duration = values.duration === undefined ? undefined : Number(values.duration);
    if (duration !== undefined && !(duration > 0)) throw usage("--duration must be a positive number");
    const httpPort = Number(values["http.port"] ?? DEVNET_HTTP_PORT);
    if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65534)
      throw usage("--http.port must be 0..65534 (0: OS-chosen ports)");
    if (values["init-only"] === true && values.split !== true) throw usage("--init-only needs --split");
    if (values.compose === true && values["init-only"] !== true) throw usage("--compose needs --init-only");
    if (values.split === true) {
      const split = await prepareSplitDevnet(values.datadir ?? ".devnet", n, {
        httpPort,
        ...(values.compose === true ? { compose: true } : {}),
      });
      if (values["init-only"] === true) {
        console.log(
          `devnet: ${n} validator pairs laid out in ${split.root} (${join(split.root, LAYOUT_FILE)})`,
        );
        return 0;
      }
      return runSplit(split, duration);
    }
    const layout = await prepareDevnet(values.datadir ?? ".devnet", n, { httpPort, fullnodes });
    console.log(
      `devnet: ${n} validators${fullnodes > 0 ? `, ${fullnodes} full nodes` : ""}, chain id ${DEVNET_CHAIN_ID}, datadir ${layout.root}`,
    );
    // Signals are handled from here to the end: the first one stops the network, repeats (pnpm forwards
    // Ctrl-C once more) are ignored while it stops. Validators are killed if this process exits early.
    let stopRequested: () => void = () => {};
    const stopped = new Promise<void>((done) => {
      stopRequested = done;
    });
    process.on("SIGINT", stopRequested);
    process.on("SIGTERM", stopRequested);
    const running = [
      ...layout.validators.map((v) => launch(v, validatorArgs(v))),
      ...(layout.fullnodes ?? []).map((f) => launch(f, fullNodeArgs(f, layout))),
    ];
    const killAll = () => {
      for (const r of running)
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    };
    process.on("exit", killAll);
    try {
      let interrupted = false;
      try {
        await Promise.race([
          Promise.all(running.map((r) => r.ready)),
          stopped.then(() => (interrupted = true)),
        ]);
      } catch (e) {
        await stopAll(running);
        throw e;
      }
      if (!interrupted) {
        for (const r of running) {
          console.log(
            `${r.v.name}  rpc http://${r.lines.get("http rpc listening on")}  ws ws://${r.lines.get("ws rpc listening on")}  engine http://${r.lines.get("engine api listening on")}  p2p ${r.lines.get("p2p listening")}${metricsUrl(r.v) === undefined ? "" : `  metrics ${metricsUrl(r.v)}`}`,
          );
        }
        printAccounts(layout);
        console.log(
          `JSON-RPC (eth, net, web3, txpool) on every rpc/ws endpoint: send signed transactions with eth_sendRawTransaction`,
        );
        console.log(
          `layout: ${join(layout.root, LAYOUT_FILE)}; jwt secrets: ${layout.root}/validator-*/jwt.hex; logs: ${layout.root}/validator-*/node.log${fullnodes > 0 ? `, ${layout.root}/fullnode-*/node.log` : ""}`,
        );
        console.log(duration === undefined ? "running; Ctrl-C to stop" : `running for ${duration} s`);
        // a validator dying on its own is reported, the others keep running
        for (const r of running)
          void r.exited.then((code) => {
            if (code !== 0) console.log(`${r.v.name} exited ${code}; see ${r.v.datadir}/node.log`);
          });
        const timer = duration === undefined ? undefined : setTimeout(stopRequested, duration * 1000);
        await stopped;
        clearTimeout(timer);
      }
      await stopAll(running);
    } finally {
      process.off("SIGINT", stopRequested);
      process.off("SIGTERM", stopRequested);
      process.off("exit", killAll);
    }
    let missing = 0;
    for (const r of running) {
      const s = r.summary;
      if (s === undefined) missing++;
      console.log(
        s === undefined
          ? `${r.v.name}  no summary (exit ${r.child.exitCode ?? r.child.signalCode})`
          : "lastCommitIndex" in s
            ? `${r.v.name}  head #${s.headNumber} ${s.headHash}  last commit ${s.lastCommitIndex} (executed ${s.lastExecutedCommit})`
            : `${r.v.name}  head #${s.headNumber} ${s.headHash}  (full node)`,
      );
    }
    // 0 after a clean stop, Ctrl-C included (pnpm reports any other code as "ELIFECYCLE Command failed")
    return missing === 0 ? 0 : 1;
  },
};

interface RunningService {
  readonly s: ServiceSpec;
  readonly log: string;
  readonly child: ChildProcess;
  /** the stdout lines kept for the closing summary */
  readonly summary: string[];
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/** Starts one process of the split topology; ready once it printed its `readyLine`. */
function launchService(s: ServiceSpec, dir: string): RunningService {
  const file = join(dir, `${s.role}.log`);
  const log = openSync(file, "a");
  // its own process group, as the validators of `fastevm devnet` (one SIGTERM from here)
  const child = spawn(process.execPath, [FASTEVM_BIN, ...s.args], {
    stdio: ["ignore", "pipe", log],
    detached: true,
  });
  closeSync(log);
  const r: RunningService = {
    s,
    log: file,
    child,
    summary: [],
    ready: Promise.resolve(),
    exited: Promise.resolve(null),
  };
  r.exited = new Promise((done) => child.once("exit", (code) => done(code)));
  r.ready = new Promise((done, fail) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith(s.readyLine)) done();
      if (line.startsWith("last commit index ") || line.startsWith("execution head ")) r.summary.push(line);
    });
    void r.exited.then((code) =>
      fail(new FastEvmError(ErrorCode.INVALID_ARGUMENT, `${s.name} exited ${code}: see ${file}`)),
    );
  });
  return r;
}

async function stopServices(running: readonly RunningService[]): Promise<void> {
  await Promise.all(
    running.map(async (r) => {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGTERM");
      const t = setTimeout(() => r.child.kill("SIGKILL"), 20_000);
      await r.exited;
      clearTimeout(t);
    }),
  );
}

/**
 * `fastevm devnet --split`: every execution node first, then the consensus clients (each drives its pair's
 * node); stopped in the reverse order. Exits 0 when every process stopped with exit code 0.
 */
async function runSplit(layout: SplitLayout, duration: number | undefined): Promise<number> {
  const services = splitServices(layout);
  const dirOf = (s: ServiceSpec) => layout.pairs[s.validator]!.dir;
  console.log(
    `devnet --split: ${layout.pairs.length} validator pairs (execution + consensus processes), chain id ${DEVNET_CHAIN_ID}, datadir ${layout.root}`,
  );
  let stopRequested: () => void = () => {};
  const stopped = new Promise<void>((done) => {
    stopRequested = done;
  });
  process.on("SIGINT", stopRequested);
  process.on("SIGTERM", stopRequested);
  const running: RunningService[] = [];
  const killAll = () => {
    for (const r of running)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
  };
  process.on("exit", killAll);
  const stop = async () => {
    await stopServices(running.filter((r) => r.s.role === "consensus"));
    await stopServices(running.filter((r) => r.s.role === "execution"));
  };
  try {
    let interrupted = false;
    for (const role of ["execution", "consensus"] as const) {
      const started = services.filter((s) => s.role === role).map((s) => launchService(s, dirOf(s)));
      running.push(...started);
      try {
        await Promise.race([
          Promise.all(started.map((r) => r.ready)),
          stopped.then(() => (interrupted = true)),
        ]);
      } catch (e) {
        await stop();
        throw e;
      }
      if (interrupted) break;
    }
    if (!interrupted) {
      for (const n of layout.nodes)
        console.log(
          `${n.name}  ${n.rpc === undefined ? `p2p ${n.p2p}  drives ${n.engine}` : `rpc ${n.rpc}  ws ${n.ws}  engine ${n.engine}`}  metrics ${n.metrics}`,
        );
      console.log(
        `layout: ${join(layout.root, LAYOUT_FILE)}; logs: ${layout.root}/validator-*/execution.log, consensus.log`,
      );
      console.log(duration === undefined ? "running; Ctrl-C to stop" : `running for ${duration} s`);
      for (const r of running)
        void r.exited.then((code) => {
          if (code !== 0) console.log(`${r.s.name} exited ${code}; see ${r.log}`);
        });
      const timer = duration === undefined ? undefined : setTimeout(stopRequested, duration * 1000);
      await stopped;
      clearTimeout(timer);
    }
    await stop();
  } finally {
    process.off("SIGINT", stopRequested);
    process.off("SIGTERM", stopRequested);
    process.off("exit", killAll);
  }
  let failed = 0;
  for (const r of running) {
    if (r.child.exitCode !== 0) failed++;
    const tail = r.summary.length === 0 ? "" : `  ${r.summary.join("  ")}`;
    console.log(`${r.s.name}  exit ${r.child.exitCode ?? r.child.signalCode}${tail}`);
  }
  return failed === 0 ? 0 : 1;
}
