/**
 * The devnet's on-disk layout, created on first start and reused after: per validator a datadir initialized
 * from the devnet genesis (`validator-i/`), its consensus keys and a copy of the committee
 * (`validator-i/consensus/`), and distinct loopback ports for the Engine API, libp2p, the public JSON-RPC
 * (HTTP and WebSocket) and the metrics server, all recorded in `devnet.json` with every node's endpoints and
 * the funded dev accounts (its format: the README's "devnet.json" paragraph and the `DevnetLayout` type).
 * The Engine API and libp2p ports are fixed at creation (the committee names the libp2p addresses); the
 * public ports are checked on every start: with a base port (`fastevm devnet`: 8545) validator 0 gets the
 * first free port from it and the next free one for WebSocket, validator 1 the two after, and so on; with
 * base 0 (tests) each keeps its recorded ports while they are free, else gets OS-chosen ones. A layout
 * written by an older version (no public ports; a `txPort` of the removed `POST /tx`) is upgraded in place;
 * one missing the older keys is refused.
 * The cluster test and `fastevm devnet` both start validators from it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  addressOfKey,
  DEV_ACCOUNT_COUNT,
  DEVNET_CHAIN_ID,
  DEVNET_GENESIS_PATH,
  devAccountKey,
} from "../core/chain/devnet.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";
import { checksumAddress } from "../rpc/eth/txpool.ts";
import { lockDatadir } from "../storage/datadirLock.ts";
import { CHAINDATA_DIR } from "../storage/storage.ts";
import { committeeCommand } from "./commands/committee.ts";
import { initCommand } from "./commands/init.ts";
import { keysCommand } from "./commands/keys.ts";
import { COMMITTEE_FILE } from "./validator.ts";

/** The `fastevm` entry point child processes run. */
export const FASTEVM_BIN: string = fileURLToPath(new URL("../../bin/fastevm.js", import.meta.url));

export interface DevnetValidator {
  readonly name: string;
  readonly datadir: string;
  readonly consensusDir: string;
  readonly enginePort: number;
  readonly p2pPort: number;
  /** the public JSON-RPC over HTTP (`--http.port`) */
  readonly httpPort: number;
  /** the public JSON-RPC over WebSocket (`--ws.port`) */
  readonly wsPort: number;
  /** `--metrics.port` (absent in a devnet made before metrics: that one runs without) */
  readonly metricsPort?: number;
}

/**
 * A full node of the devnet (`fastevm devnet --fullnodes N`): a datadir initialized from the same genesis,
 * no consensus keys; it follows the validators by block sync (`fastevm node --sync --bootnodes …`).
 */
export interface DevnetFullNode {
  readonly name: string;
  readonly datadir: string;
  readonly enginePort: number;
  readonly p2pPort: number;
  readonly httpPort: number;
  readonly wsPort: number;
  readonly metricsPort?: number;
}

/** One node's endpoints, as tools read them from devnet.json. */
export interface DevnetNode {
  readonly name: string;
  readonly role: "validator" | "fullnode";
  readonly rpc: string;
  readonly ws: string;
  readonly engine: string;
  readonly p2p: string;
  /** the Prometheus endpoint, when the node runs with metrics */
  readonly metrics?: string;
}

/** A funded dev account (node/core/chain/devnet.ts); its key is public. */
export interface DevnetAccount {
  readonly address: string;
  readonly privateKey: string;
}

export interface DevnetLayout {
  readonly chainId: number;
  readonly root: string;
  readonly validators: readonly DevnetValidator[];
  /** absent in a layout without full nodes */
  readonly fullnodes?: readonly DevnetFullNode[];
  readonly nodes: readonly DevnetNode[];
  readonly accounts: readonly DevnetAccount[];
}

export interface DevnetOptions {
  /** where the public ports start (validator 0's HTTP port when free); 0 = OS-chosen (default) */
  readonly httpPort?: number;
  /** the genesis.json each validator is initialized from (default the devnet genesis); used on creation only */
  readonly genesis?: string;
  /** full nodes beside the validators (`--fullnodes N`, default 0); made on the first start that asks */
  readonly fullnodes?: number;
}

/** The default base of `fastevm devnet`'s public ports: 8545 (HTTP) and 8546 (WebSocket), as geth and anvil. */
export const DEVNET_HTTP_PORT = 8545;

export const LAYOUT_FILE = "devnet.json";

/**
 * Where `freePort` looks: below the kernel's ephemeral range (Linux: `ip_local_port_range`, 32768–60999 by
 * default), from which the OS hands out ports for `bind(0)` and the source ports of outgoing connections.
 * A port picked from the ephemeral range and released until the node binds it can be taken in between by
 * any process's next connection (seen in CI: "cannot listen on 127.0.0.1:42109" with the suite's other
 * tests running); below it, only another explicit choice can collide, and `portIsFree` checks that.
 */
const FREE_PORT_LOW = 10_000;
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > FREE_PORT_LOW + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** A random port on 127.0.0.1 that is free right now, below the ephemeral range (see FREE_PORT_LOW). */
export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = FREE_PORT_LOW + Math.floor(Math.random() * (high - FREE_PORT_LOW));
    if (await portIsFree(port)) return port;
  }
  throw new FastEvmError(ErrorCode.CLI_USAGE, `no free port on 127.0.0.1 in ${FREE_PORT_LOW}..${high - 1}`);
}

/** A free port (`freePort`) not in `reserved`, which gains it: the ports of one devnet are all distinct. */
export async function reserveFreePort(reserved: Set<number>): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (!reserved.has(p)) {
      reserved.add(p);
      return p;
    }
  }
}

/** Whether 127.0.0.1:`port` can be bound right now (nothing listens there, on it or on the wildcard). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once("error", () => done(false));
    s.listen({ port, host: "127.0.0.1", exclusive: true }, () => s.close(() => done(true)));
  });
}

/**
 * The public (HTTP, WebSocket) ports of each validator, none of them in `reserved` (which gains them):
 * from `base` upward, the first free port for HTTP and the next free one for WebSocket, validator by
 * validator; with base 0 a validator's `recorded` ports when still free, else OS-chosen ones.
 */
export async function choosePublicPorts(
  n: number,
  base: number,
  reserved: Set<number>,
  recorded: readonly (readonly [number, number] | undefined)[] = [],
): Promise<[number, number][]> {
  let next = base;
  const take = async (wanted: number | undefined): Promise<number> => {
    if (base > 0) {
      for (; next <= 65535; next++)
        if (!reserved.has(next) && (await portIsFree(next))) {
          reserved.add(next);
          return next++;
        }
      throw new FastEvmError(ErrorCode.CLI_USAGE, `no free port on 127.0.0.1 from ${base} upward`);
    }
    if (wanted !== undefined && !reserved.has(wanted) && (await portIsFree(wanted))) {
      reserved.add(wanted);
      return wanted;
    }
    return reserveFreePort(reserved);
  };
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const http = await take(recorded[i]?.[0]);
    out.push([http, await take(recorded[i]?.[1])]);
  }
  return out;
}

/** The funded dev accounts with their (public) private keys. */
export function devnetAccounts(): DevnetAccount[] {
  return Array.from({ length: DEV_ACCOUNT_COUNT }, (_, i) => {
    const key = devAccountKey(i);
    return { address: checksumAddress(addressOfKey(key)), privateKey: bytesToHex(key) };
  });
}

/** The layout of these validators and full nodes, with each node's endpoints and the dev accounts. */
function layoutOf(
  root: string,
  validators: readonly DevnetValidator[],
  fullnodes: readonly DevnetFullNode[] = [],
): DevnetLayout {
  const node = (v: DevnetValidator | DevnetFullNode, role: DevnetNode["role"]): DevnetNode => ({
    name: v.name,
    role,
    rpc: `http://127.0.0.1:${v.httpPort}`,
    ws: `ws://127.0.0.1:${v.wsPort}`,
    engine: `http://127.0.0.1:${v.enginePort}`,
    p2p: `/ip4/127.0.0.1/tcp/${v.p2pPort}`,
    ...(v.metricsPort === undefined ? {} : { metrics: `http://127.0.0.1:${v.metricsPort}/metrics` }),
  });
  return {
    chainId: Number(DEVNET_CHAIN_ID),
    root,
    validators,
    ...(fullnodes.length === 0 ? {} : { fullnodes }),
    nodes: [...validators.map((v) => node(v, "validator")), ...fullnodes.map((f) => node(f, "fullnode"))],
    accounts: devnetAccounts(),
  };
}

/**
 * The first `n` full nodes: the stored ones reused (fresh public ports when theirs are taken), the missing
 * ones initialized from `genesis`; every port not in `reserved` (which gains them).
 */
async function prepareFullNodes(
  dir: string,
  n: number,
  stored: readonly DevnetFullNode[],
  reserved: Set<number>,
  genesis: string,
): Promise<DevnetFullNode[]> {
  for (const f of stored) for (const p of [f.enginePort, f.p2pPort, f.metricsPort ?? 0]) reserved.add(p);
  const out: DevnetFullNode[] = [];
  for (let i = 0; i < n; i++) {
    const known = stored[i];
    if (known !== undefined) {
      lockDatadir(known.datadir).release();
      const [ports] = await choosePublicPorts(1, 0, reserved, [[known.httpPort, known.wsPort]]);
      out.push({ ...known, httpPort: ports![0], wsPort: ports![1] });
      continue;
    }
    const datadir = join(dir, `fullnode-${i}`);
    if (!existsSync(join(datadir, CHAINDATA_DIR)))
      await quietly(() => initCommand.run(["--datadir", datadir, genesis]));
    const [ports] = await choosePublicPorts(1, 0, reserved);
    out.push({
      name: `fullnode-${i}`,
      datadir,
      enginePort: await reserveFreePort(reserved),
      p2pPort: await reserveFreePort(reserved),
      httpPort: ports![0],
      wsPort: ports![1],
      metricsPort: await reserveFreePort(reserved),
    });
  }
  return out;
}

function storedFullNodes(file: string): DevnetFullNode[] {
  const o = JSON.parse(readFileSync(file, "utf8")) as { fullnodes?: unknown };
  if (!Array.isArray(o.fullnodes)) return [];
  return (o.fullnodes as DevnetFullNode[]).filter(
    (f) =>
      typeof f?.name === "string" &&
      typeof f.datadir === "string" &&
      [f.enginePort, f.p2pPort, f.httpPort, f.wsPort].every((p) => Number.isInteger(p)),
  );
}

const layoutText = (layout: DevnetLayout) => `${JSON.stringify(layout, null, 2)}\n`;

type StoredValidator = Omit<DevnetValidator, "httpPort" | "wsPort"> & { httpPort?: number; wsPort?: number };

/** `devnet.json` as an older version wrote it may also hold the port of the removed `POST /tx`. */
type LegacyValidator = StoredValidator & { txPort?: number };

/** The validators of a stored devnet.json, or a clear refusal when it is not a layout this version runs. */
function readStoredLayout(file: string, n: number): StoredValidator[] {
  const dir = resolve(file, "..");
  const refuse = (why: string) =>
    new FastEvmError(
      ErrorCode.CLI_USAGE,
      `${file} is not a devnet layout this version can run (${why}): remove ${dir} or use another --datadir`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw refuse((e as Error).message);
  }
  const o = raw as { chainId?: unknown; validators?: unknown };
  if (typeof o !== "object" || o === null || !Array.isArray(o.validators)) throw refuse("no validators list");
  if (o.chainId !== undefined && o.chainId !== Number(DEVNET_CHAIN_ID))
    throw refuse(`chain id ${String(o.chainId)}, not ${DEVNET_CHAIN_ID}`);
  const validators = o.validators as Record<string, unknown>[];
  validators.forEach((v, i) => {
    for (const k of ["name", "datadir", "consensusDir"] as const)
      if (typeof v?.[k] !== "string") throw refuse(`validators[${i}].${k} missing`);
    for (const k of ["enginePort", "p2pPort"] as const)
      if (!Number.isInteger(v[k])) throw refuse(`validators[${i}].${k} missing`);
    for (const k of ["httpPort", "wsPort"] as const)
      if (v[k] !== undefined && !Number.isInteger(v[k])) throw refuse(`validators[${i}].${k} is not a port`);
  });
  if (validators.length !== n)
    throw new FastEvmError(
      ErrorCode.CLI_USAGE,
      `${dir} holds a devnet of ${validators.length} validators, not ${n}: use another --datadir`,
    );
  return (validators as unknown as LegacyValidator[]).map(({ txPort: _removed, ...v }) => v);
}

/** Runs a CLI command in-process with its stdout silenced (setup chatter); its errors still throw. */
export async function quietly(run: () => Promise<number>): Promise<void> {
  const log = console.log;
  console.log = () => {};
  try {
    const rc = await run();
    if (rc !== 0) throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `devnet setup step exited ${rc}`);
  } finally {
    console.log = log;
  }
}

/**
 * The layout in `root`, created for `n` validators when absent; an existing one must have `n` validators and
 * its datadirs must not be in use (a devnet already running there). Its public ports are chosen for this
 * start (see the file comment) and devnet.json is rewritten when they changed.
 */
export async function prepareDevnet(
  root: string,
  n: number,
  opts: DevnetOptions = {},
): Promise<DevnetLayout> {
  const base = opts.httpPort ?? 0;
  const dir = resolve(root);
  const file = join(dir, LAYOUT_FILE);
  if (existsSync(file)) {
    const stored = readStoredLayout(file, n);
    // a running devnet holds its datadirs: refuse here, before its devnet.json is rewritten
    for (const v of stored) lockDatadir(v.datadir).release();
    const reserved = new Set(stored.flatMap((v) => [v.enginePort, v.p2pPort, v.metricsPort ?? 0]));
    const ports = await choosePublicPorts(
      n,
      base,
      reserved,
      stored.map((v) =>
        v.httpPort === undefined || v.wsPort === undefined ? undefined : [v.httpPort, v.wsPort],
      ),
    );
    const fullnodes = await prepareFullNodes(
      dir,
      opts.fullnodes ?? 0,
      storedFullNodes(file),
      reserved,
      opts.genesis ?? DEVNET_GENESIS_PATH,
    );
    const layout = layoutOf(
      dir,
      stored.map((v, i) => ({ ...v, httpPort: ports[i]![0], wsPort: ports[i]![1] })),
      fullnodes,
    );
    const text = layoutText(layout);
    if (readFileSync(file, "utf8") !== text) writeFileSync(file, text);
    return layout;
  }
  mkdirSync(dir, { recursive: true });
  // every port distinct: the OS may hand a just-released port out again
  const reserved = new Set<number>();
  const port = () => reserveFreePort(reserved);
  const validators: StoredValidator[] = [];
  for (let i = 0; i < n; i++) {
    const datadir = join(dir, `validator-${i}`);
    const consensusDir = join(datadir, "consensus");
    await quietly(() => initCommand.run(["--datadir", datadir, opts.genesis ?? DEVNET_GENESIS_PATH]));
    await quietly(() => keysCommand.run(["--out", consensusDir]));
    validators.push({
      name: `validator-${i}`,
      datadir,
      consensusDir,
      enginePort: await port(),
      p2pPort: await port(),
      metricsPort: await port(),
    });
  }
  const ports = await choosePublicPorts(n, base, reserved);
  const committeeFile = join(dir, COMMITTEE_FILE);
  const entries = validators.map((v) => `${v.consensusDir}:1:/ip4/127.0.0.1/tcp/${v.p2pPort}`);
  await quietly(() => committeeCommand.run(["--out", committeeFile, ...entries]));
  const committee = JSON.parse(readFileSync(committeeFile, "utf8")) as { authorities: { name: string }[] };
  committee.authorities.forEach((a, i) => {
    a.name = `validator-${i}`;
  });
  writeFileSync(committeeFile, `${JSON.stringify(committee, null, 2)}\n`);
  for (const v of validators) copyFileSync(committeeFile, join(v.consensusDir, COMMITTEE_FILE));
  const fullnodes = await prepareFullNodes(
    dir,
    opts.fullnodes ?? 0,
    [],
    reserved,
    opts.genesis ?? DEVNET_GENESIS_PATH,
  );
  const layout = layoutOf(
    dir,
    validators.map((v, i) => ({ ...v, httpPort: ports[i]![0], wsPort: ports[i]![1] })),
    fullnodes,
  );
  // written last: a half-made devnet (interrupted setup) is not mistaken for a complete one
  writeFileSync(file, layoutText(layout));
  return layout;
}

/** The `fastevm node` arguments that run validator `v` of the devnet. */
export function validatorArgs(v: DevnetValidator): string[] {
  return [
    "node",
    "--datadir",
    v.datadir,
    "--authrpc.port",
    String(v.enginePort),
    "--validator",
    "--consensus-dir",
    v.consensusDir,
    "--http",
    "--http.port",
    String(v.httpPort),
    "--ws",
    "--ws.port",
    String(v.wsPort),
    ...(v.metricsPort === undefined ? [] : ["--metrics", "--metrics.port", String(v.metricsPort)]),
  ];
}

/** The `fastevm node` arguments that run full node `f`, syncing from every validator of `layout`. */
export function fullNodeArgs(f: DevnetFullNode, layout: DevnetLayout): string[] {
  return [
    "node",
    "--datadir",
    f.datadir,
    "--authrpc.port",
    String(f.enginePort),
    "--sync",
    "--bootnodes",
    layout.validators.map((v) => `/ip4/127.0.0.1/tcp/${v.p2pPort}`).join(","),
    "--sync.committee",
    join(layout.root, COMMITTEE_FILE),
    "--p2p.listen",
    `/ip4/127.0.0.1/tcp/${f.p2pPort}`,
    "--http",
    "--http.port",
    String(f.httpPort),
    "--ws",
    "--ws.port",
    String(f.wsPort),
    ...(f.metricsPort === undefined ? [] : ["--metrics", "--metrics.port", String(f.metricsPort)]),
  ];
}

/** The validator's Prometheus endpoint (devnet.json `nodes[].metrics`), if it runs with metrics. */
export function metricsUrl(v: DevnetValidator | DevnetFullNode): string | undefined {
  return v.metricsPort === undefined ? undefined : `http://127.0.0.1:${v.metricsPort}/metrics`;
}
