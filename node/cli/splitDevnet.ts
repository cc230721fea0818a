/**
 * The layout of a split devnet (`fastevm devnet --split`, and the docker-compose `init` service with
 * `--init-only --compose`): the cluster description of node/cli/topology.ts made concrete under a data root.
 * Made once, on first start (reused after): per pair an execution datadir initialized from the devnet genesis,
 * the consensus keys, the shared Engine API JWT secret (mode 0600), and one committee naming every consensus
 * client's libp2p address (`committeeAddress`: loopback ports, or `/dns4/consensus-i/…` in compose). Its
 * ports and every process's endpoints are recorded in ROOT/devnet.json (`mode: "split"`; `nodes` lists both
 * processes of each pair with their metrics URLs). Local ports are OS-chosen at creation, except the public
 * JSON-RPC ports, which are chosen on every start as `fastevm devnet` does (choosePublicPorts). A local
 * layout also gets ROOT/prometheus.yml, the scrape configuration of its processes (every 1 s), rewritten on
 * every start: `prometheus --config.file ROOT/prometheus.yml` watches it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEVNET_CHAIN_ID, DEVNET_GENESIS_PATH } from "../core/chain/devnet.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { loadOrCreateJwtSecret } from "../rpc/jwt.ts";
import { lockDatadir } from "../storage/datadirLock.ts";
import { committeeCommand } from "./commands/committee.ts";
import { initCommand } from "./commands/init.ts";
import { keysCommand } from "./commands/keys.ts";
import {
  choosePublicPorts,
  type DevnetAccount,
  devnetAccounts,
  LAYOUT_FILE,
  quietly,
  reserveFreePort,
} from "./devnetSetup.ts";
import {
  COMPOSE_PORTS,
  committeeAddress,
  committeeFile,
  composePlacement,
  localPlacement,
  type PairPaths,
  type PairPorts,
  type Placement,
  pairPaths,
  pairServices,
  prometheusConfig,
  type ServiceSpec,
} from "./topology.ts";

/** The scrape configuration a local split layout writes beside devnet.json. */
export const SPLIT_PROMETHEUS_FILE = "prometheus.yml";
export const SPLIT_SCRAPE_INTERVAL = "1s";

function writePrometheusConfig(layout: SplitLayout): void {
  writeFileSync(
    join(layout.root, SPLIT_PROMETHEUS_FILE),
    prometheusConfig(splitServices(layout), { scrapeInterval: SPLIT_SCRAPE_INTERVAL }),
  );
}

/** One process of the split devnet, as tools read it from devnet.json. */
export interface SplitNode {
  readonly name: string;
  readonly role: "execution" | "consensus";
  readonly validator: string;
  /** execution: its public JSON-RPC; consensus: absent */
  readonly rpc?: string;
  readonly ws?: string;
  /** execution: the Engine API it serves; consensus: the one it drives */
  readonly engine: string;
  /** consensus: its libp2p address */
  readonly p2p?: string;
  readonly metrics: string;
}

export interface SplitPair extends PairPaths {
  readonly ports: PairPorts;
}

export interface SplitLayout {
  readonly chainId: number;
  readonly mode: "split";
  readonly placement: "compose" | "local";
  readonly root: string;
  readonly committee: string;
  readonly pairs: readonly SplitPair[];
  readonly nodes: readonly SplitNode[];
  readonly accounts: readonly DevnetAccount[];
}

export interface SplitOptions {
  /** lay out for the docker-compose services (container host names and ports) */
  readonly compose?: boolean;
  /** where the public ports start (as `fastevm devnet --http.port`); 0 = OS-chosen (default) */
  readonly httpPort?: number;
}

/** The placement of a split layout. */
export function placementOf(layout: SplitLayout): Placement {
  return layout.placement === "compose"
    ? composePlacement(layout.root)
    : localPlacement(
        layout.root,
        layout.pairs.map((p) => p.ports),
      );
}

/** The processes of a split layout (node/cli/topology.ts pairServices). */
export function splitServices(layout: SplitLayout): ServiceSpec[] {
  const pl = placementOf(layout);
  return layout.pairs.flatMap((_, i) => pairServices(pl, i));
}

function layoutOf(placement: "compose" | "local", root: string, ports: readonly PairPorts[]): SplitLayout {
  const pl = placement === "compose" ? composePlacement(root) : localPlacement(root, ports);
  const nodes: SplitNode[] = [];
  ports.forEach((p, i) => {
    const [execution, consensus] = pairServices(pl, i);
    const engine = `http://${pl.executionHost(i)}:${p.engine}`;
    const metrics = (s: ServiceSpec) => `http://${s.metrics.host}:${s.metrics.port}/metrics`;
    nodes.push(
      {
        name: execution.name,
        role: "execution",
        validator: `validator-${i}`,
        rpc: `http://${pl.executionHost(i)}:${p.http}`,
        ws: `ws://${pl.executionHost(i)}:${p.ws}`,
        engine,
        metrics: metrics(execution),
      },
      {
        name: consensus.name,
        role: "consensus",
        validator: `validator-${i}`,
        engine,
        p2p: committeeAddress(pl, i),
        metrics: metrics(consensus),
      },
    );
  });
  return {
    chainId: Number(DEVNET_CHAIN_ID),
    mode: "split",
    placement,
    root,
    committee: committeeFile(root),
    pairs: ports.map((p, i) => ({ ...pairPaths(root, i), ports: p })),
    nodes,
    accounts: devnetAccounts(),
  };
}

const layoutText = (layout: SplitLayout) => `${JSON.stringify(layout, null, 2)}\n`;

function readStored(file: string, n: number, placement: "compose" | "local"): SplitLayout {
  const dir = resolve(file, "..");
  const refuse = (why: string) =>
    new FastEvmError(
      ErrorCode.CLI_USAGE,
      `${file} is not a split devnet layout this version can run (${why}): remove ${dir} or use another --datadir`,
    );
  let o: Partial<SplitLayout>;
  try {
    o = JSON.parse(readFileSync(file, "utf8")) as Partial<SplitLayout>;
  } catch (e) {
    throw refuse((e as Error).message);
  }
  if (o.mode !== "split") throw refuse("made by `fastevm devnet` without --split");
  if (o.placement !== placement) throw refuse(`laid out for ${String(o.placement)}, not ${placement}`);
  if (o.chainId !== Number(DEVNET_CHAIN_ID)) throw refuse(`chain id ${String(o.chainId)}`);
  if (!Array.isArray(o.pairs)) throw refuse("no pairs list");
  if (o.pairs.length !== n)
    throw new FastEvmError(
      ErrorCode.CLI_USAGE,
      `${dir} holds a split devnet of ${o.pairs.length} pairs, not ${n}: use another --datadir`,
    );
  o.pairs.forEach((p, i) => {
    for (const k of ["engine", "http", "ws", "executionMetrics", "p2p", "consensusMetrics"] as const)
      if (!Number.isInteger(p?.ports?.[k])) throw refuse(`pairs[${i}].ports.${k} missing`);
  });
  return o as SplitLayout;
}

/**
 * The split layout in `root` for `n` pairs, made when absent (see the file comment). An existing one must
 * match (split, same placement, `n` pairs) and its execution datadirs must not be in use.
 */
export async function prepareSplitDevnet(
  root: string,
  n: number,
  opts: SplitOptions = {},
): Promise<SplitLayout> {
  const placement = opts.compose === true ? "compose" : "local";
  const dir = resolve(root);
  const file = join(dir, LAYOUT_FILE);
  if (existsSync(file)) {
    const stored = readStored(file, n, placement);
    if (placement === "compose") return stored;
    for (const p of stored.pairs) lockDatadir(p.executionDatadir).release();
    const reserved = new Set(
      stored.pairs.flatMap((p) => [
        p.ports.engine,
        p.ports.p2p,
        p.ports.executionMetrics,
        p.ports.consensusMetrics,
      ]),
    );
    const pub = await choosePublicPorts(
      n,
      opts.httpPort ?? 0,
      reserved,
      stored.pairs.map((p) => [p.ports.http, p.ports.ws] as const),
    );
    const layout = layoutOf(
      placement,
      dir,
      stored.pairs.map((p, i) => ({ ...p.ports, http: pub[i]![0], ws: pub[i]![1] })),
    );
    const text = layoutText(layout);
    if (readFileSync(file, "utf8") !== text) writeFileSync(file, text);
    writePrometheusConfig(layout);
    return layout;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ports: PairPorts[];
  if (placement === "compose") ports = Array.from({ length: n }, () => COMPOSE_PORTS);
  else {
    const reserved = new Set<number>();
    const take = () => reserveFreePort(reserved);
    const fixed: Omit<PairPorts, "http" | "ws">[] = [];
    for (let i = 0; i < n; i++)
      fixed.push({
        engine: await take(),
        executionMetrics: await take(),
        p2p: await take(),
        consensusMetrics: await take(),
      });
    const pub = await choosePublicPorts(n, opts.httpPort ?? 0, reserved);
    ports = fixed.map((f, i) => ({ ...f, http: pub[i]![0], ws: pub[i]![1] }));
  }
  const layout = layoutOf(placement, dir, ports);
  const pl = placementOf(layout);
  for (const p of layout.pairs) {
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    await quietly(() => initCommand.run(["--datadir", p.executionDatadir, DEVNET_GENESIS_PATH]));
    await quietly(() => keysCommand.run(["--out", p.consensusKeys]));
    loadOrCreateJwtSecret(p.jwtSecret);
  }
  const entries = layout.pairs.map((p, i) => `${p.consensusKeys}:1:${committeeAddress(pl, i)}`);
  await quietly(() => committeeCommand.run(["--out", layout.committee, ...entries]));
  const committee = JSON.parse(readFileSync(layout.committee, "utf8")) as { authorities: { name: string }[] };
  committee.authorities.forEach((a, i) => {
    a.name = `validator-${i}`;
  });
  writeFileSync(layout.committee, `${JSON.stringify(committee, null, 2)}\n`);
  // written last: a half-made layout (interrupted setup) is not mistaken for a complete one
  writeFileSync(file, layoutText(layout));
  if (placement === "local") writePrometheusConfig(layout);
  return layout;
}
