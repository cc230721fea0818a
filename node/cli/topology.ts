/**
 * The one description of the cluster: N validator pairs, each an execution node (`fastevm node`) and a
 * consensus client (`fastevm consensus --execution-url … --jwt-secret …`) in separate processes, the init
 * step that makes the shared genesis datadirs, committee, keys and JWT secrets once, and Prometheus scraping
 * every process. Two placements use it:
 * - `composePlacement()`: docker-compose.yml (`pnpm gen:compose`, node/cli/genDeploy.ts) — one container per
 *   process, host names `execution-i` / `consensus-i`, the same container ports in every pair, the shared
 *   volume at /data;
 * - `localPlacement(root, ports)`: `fastevm devnet --split` — the same commands and flags as local
 *   processes on loopback, each pair with its own ports (recorded in DATADIR/devnet.json).
 * Only the host names, bind address, ports and the data root differ between them; the argument lists come
 * from `pairServices` for both, so compose and `--split` cannot drift apart (test/unit/node/cli/topology.test.ts
 * also checks the committed docker-compose.yml and Prometheus config equal a fresh generation).
 */
import { join } from "node:path";
import { ErrorCode, FastEvmError } from "../core/errors.ts";

/** The ports of one pair's servers. */
export interface PairPorts {
  /** the execution node's Engine API (`--authrpc.port`) */
  readonly engine: number;
  /** public JSON-RPC over HTTP (`--http.port`) */
  readonly http: number;
  /** public JSON-RPC over WebSocket (`--ws.port`) */
  readonly ws: number;
  /** the execution node's /metrics (`--metrics.port`) */
  readonly executionMetrics: number;
  /** the consensus client's libp2p port (committee address) */
  readonly p2p: number;
  /** the consensus client's /metrics */
  readonly consensusMetrics: number;
}

/** Where the pairs run: data root, host names, bind address and ports. */
export interface Placement {
  readonly kind: "compose" | "local";
  /** the shared data directory (compose: the volume at /data; local: the devnet datadir) */
  readonly root: string;
  /** the address every server binds */
  readonly bind: string;
  executionHost(i: number): string;
  consensusHost(i: number): string;
  ports(i: number): PairPorts;
}

/** The container ports of every pair in docker-compose (each container has its own network namespace). */
export const COMPOSE_PORTS: PairPorts = {
  engine: 8551,
  http: 8545,
  ws: 8546,
  executionMetrics: 9001,
  p2p: 9000,
  consensusMetrics: 9002,
};

/** Host ports docker-compose publishes on 127.0.0.1: pair i's HTTP on 8545 + 2i, WebSocket on 8546 + 2i. */
export const composeHostRpcPort = (i: number): number => 8545 + 2 * i;
export const composeHostWsPort = (i: number): number => 8546 + 2 * i;
export const PROMETHEUS_PORT = 9090;
export const GRAFANA_PORT = 3000;

export function composePlacement(root = "/data"): Placement {
  return {
    kind: "compose",
    root,
    bind: "0.0.0.0",
    executionHost: (i) => `execution-${i}`,
    consensusHost: (i) => `consensus-${i}`,
    ports: () => COMPOSE_PORTS,
  };
}

export function localPlacement(root: string, ports: readonly PairPorts[]): Placement {
  return {
    kind: "local",
    root,
    bind: "127.0.0.1",
    executionHost: () => "127.0.0.1",
    consensusHost: () => "127.0.0.1",
    ports: (i) => {
      const p = ports[i];
      if (p === undefined) throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `no ports for pair ${i}`);
      return p;
    },
  };
}

/** The files of pair i under the data root. */
export interface PairPaths {
  readonly name: string;
  readonly dir: string;
  /** the execution node's datadir (`fastevm init` from the devnet genesis) */
  readonly executionDatadir: string;
  /** the shared Engine API secret (hex, mode 0600), read by both processes of the pair */
  readonly jwtSecret: string;
  /** `fastevm keys` output: protocol, network and public key files */
  readonly consensusKeys: string;
  /** the consensus client's LMDB store */
  readonly consensusDatadir: string;
}

export const COMMITTEE_PATH = "committee.json";

export function pairPaths(root: string, i: number): PairPaths {
  const dir = join(root, `validator-${i}`);
  return {
    name: `validator-${i}`,
    dir,
    executionDatadir: join(dir, "execution"),
    jwtSecret: join(dir, "jwt.hex"),
    consensusKeys: join(dir, "keys"),
    consensusDatadir: join(dir, "consensus"),
  };
}

export const committeeFile = (root: string): string => join(root, COMMITTEE_PATH);

/** The libp2p address the committee names for pair i (dialed by the other consensus clients). */
export function committeeAddress(pl: Placement, i: number): string {
  const port = pl.ports(i).p2p;
  return pl.kind === "compose" ? `/dns4/${pl.consensusHost(i)}/tcp/${port}` : `/ip4/127.0.0.1/tcp/${port}`;
}

/**
 * The execution nodes' tx pool: geth's limits, raised per account so one load-test sender can keep many
 * transactions in flight (`pnpm perf`).
 */
export const TOPOLOGY_TXPOOL_FLAGS: readonly string[] = [
  "--txpool.accountslots",
  "64",
  "--txpool.globalslots",
  "10240",
  "--txpool.accountqueue",
  "64",
  "--txpool.globalqueue",
  "1024",
];

export type ServiceRole = "execution" | "consensus";

/** One process of the cluster. */
export interface ServiceSpec {
  /** service name: `execution-i` / `consensus-i` (the compose service and the devnet's process name) */
  readonly name: string;
  readonly role: ServiceRole;
  readonly validator: number;
  /** `fastevm` arguments */
  readonly args: readonly string[];
  /** where Prometheus scrapes it (host, port) */
  readonly metrics: { readonly host: string; readonly port: number };
  /** the stdout line prefix printed once it serves (the last listener it starts) */
  readonly readyLine: string;
}

/** The two processes of pair i. */
export function pairServices(pl: Placement, i: number): [ServiceSpec, ServiceSpec] {
  const p = pl.ports(i);
  const paths = pairPaths(pl.root, i);
  const exec = pl.executionHost(i);
  const execution: ServiceSpec = {
    name: `execution-${i}`,
    role: "execution",
    validator: i,
    args: [
      "node",
      "--datadir",
      paths.executionDatadir,
      "--authrpc.addr",
      pl.bind,
      "--authrpc.port",
      String(p.engine),
      "--authrpc.jwtsecret",
      paths.jwtSecret,
      "--http",
      "--http.addr",
      pl.bind,
      "--http.port",
      String(p.http),
      "--http.vhosts",
      `localhost,${exec}`,
      "--ws",
      "--ws.addr",
      pl.bind,
      "--ws.port",
      String(p.ws),
      ...TOPOLOGY_TXPOOL_FLAGS,
      "--metrics",
      "--metrics.addr",
      pl.bind,
      "--metrics.port",
      String(p.executionMetrics),
    ],
    metrics: { host: exec, port: p.executionMetrics },
    readyLine: "metrics listening on ",
  };
  const consensus: ServiceSpec = {
    name: `consensus-${i}`,
    role: "consensus",
    validator: i,
    args: [
      "consensus",
      "--committee",
      committeeFile(pl.root),
      "--keys",
      paths.consensusKeys,
      "--datadir",
      paths.consensusDatadir,
      "--listen",
      `/ip4/${pl.bind}/tcp/${p.p2p}`,
      "--execution-url",
      `http://${exec}:${p.engine}`,
      "--jwt-secret",
      paths.jwtSecret,
      "--quiet",
      "--metrics",
      "--metrics.addr",
      pl.bind,
      "--metrics.port",
      String(p.consensusMetrics),
    ],
    metrics: { host: pl.consensusHost(i), port: p.consensusMetrics },
    readyLine: "metrics listening on ",
  };
  return [execution, consensus];
}

/** Every process of an n-pair cluster, pair by pair (execution first). */
export function clusterServices(pl: Placement, n: number): ServiceSpec[] {
  return Array.from({ length: n }, (_, i) => pairServices(pl, i)).flat();
}

/** The init step's `fastevm` arguments (the compose `init` service runs it; `--split` does it in-process). */
export function initArgs(pl: Placement, n: number): string[] {
  return [
    "devnet",
    "--split",
    "--init-only",
    ...(pl.kind === "compose" ? ["--compose"] : []),
    "--validators",
    String(n),
    "--datadir",
    pl.root,
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Rendering: a minimal YAML writer (block style; every string double-quoted, which YAML reads as JSON does)

type Yaml = string | number | boolean | readonly Yaml[] | { readonly [k: string]: Yaml };

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function yamlLines(v: Yaml, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${indent}[]`];
    return (v as readonly Yaml[]).flatMap((item) => {
      const inner = yamlLines(item, `${indent}  `);
      return [`${indent}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
    });
  }
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, Yaml>);
    if (entries.length === 0) return [`${indent}{}`];
    return entries.flatMap(([k, item]) => {
      const key = KEY.test(k) ? k : JSON.stringify(k);
      const scalar = typeof item !== "object";
      const empty = !scalar && (Array.isArray(item) ? item.length === 0 : Object.keys(item).length === 0);
      if (scalar || empty) return [`${indent}${key}: ${yamlLines(item, "")[0]}`];
      return [`${indent}${key}:`, ...yamlLines(item, `${indent}  `)];
    });
  }
  return [`${indent}${typeof v === "string" ? JSON.stringify(v) : String(v)}`];
}

export function toYaml(v: Yaml, header = ""): string {
  return `${header}${yamlLines(v, "").join("\n")}\n`;
}

const GENERATED = (what: string) =>
  `# Generated by \`pnpm gen:compose\` from node/cli/topology.ts (${what}): do not edit by hand.\n`;

/** Prometheus's scrape configuration for these services (compose: container names; local: loopback). */
export function prometheusConfig(
  services: readonly ServiceSpec[],
  opts: { readonly scrapeInterval?: string } = {},
): string {
  const interval = opts.scrapeInterval ?? "5s";
  return toYaml(
    {
      global: { scrape_interval: interval, evaluation_interval: interval },
      scrape_configs: [
        {
          job_name: "fastevm",
          metrics_path: "/metrics",
          static_configs: services.map((s) => ({
            targets: [`${s.metrics.host}:${s.metrics.port}`],
            labels: { node: s.name, role: s.role, validator: `validator-${s.validator}` },
          })),
        },
      ],
    },
    GENERATED("the Prometheus scrape configuration of the docker-compose cluster"),
  );
}

/** The image every fastevm service runs (built from the repository's Dockerfile). */
export const FASTEVM_IMAGE = "fastevm:local";
export const PROMETHEUS_IMAGE = "prom/prometheus:v2.53.0";
export const GRAFANA_IMAGE = "grafana/grafana:11.1.0";

/** A `node -e` health probe of a service's /health (the slim image has no curl). */
const healthProbe = (port: number): string[] => [
  "CMD",
  "node",
  "-e",
  `fetch('http://127.0.0.1:${port}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
];

/** docker-compose.yml for n validator pairs (the committed file is `composeFile(4)`). */
export function composeFile(n: number): string {
  const pl = composePlacement();
  const fastevm = (command: readonly string[]) => ({
    image: FASTEVM_IMAGE,
    build: ".",
    volumes: ["data:/data"],
    command: [...command],
  });
  const services: Record<string, Yaml> = {
    init: { ...fastevm(initArgs(pl, n)), restart: "no" },
  };
  for (let i = 0; i < n; i++) {
    const [execution, consensus] = pairServices(pl, i);
    const p = pl.ports(i);
    services[execution.name] = {
      ...fastevm(execution.args),
      depends_on: { init: { condition: "service_completed_successfully" } },
      ports: [`127.0.0.1:${composeHostRpcPort(i)}:${p.http}`, `127.0.0.1:${composeHostWsPort(i)}:${p.ws}`],
      healthcheck: {
        test: healthProbe(p.executionMetrics),
        interval: "5s",
        timeout: "3s",
        retries: 12,
        start_period: "10s",
      },
      stop_grace_period: "30s",
      restart: "unless-stopped",
    };
    services[consensus.name] = {
      ...fastevm(consensus.args),
      depends_on: { [execution.name]: { condition: "service_healthy" } },
      stop_grace_period: "30s",
      restart: "unless-stopped",
    };
  }
  services.prometheus = {
    image: PROMETHEUS_IMAGE,
    command: [
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      "--storage.tsdb.retention.time=7d",
    ],
    volumes: [
      "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
      "prometheus:/prometheus",
    ],
    ports: [`127.0.0.1:${PROMETHEUS_PORT}:9090`],
    restart: "unless-stopped",
  };
  services.grafana = {
    image: GRAFANA_IMAGE,
    depends_on: ["prometheus"],
    environment: {
      GF_AUTH_ANONYMOUS_ENABLED: "true",
      GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer",
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: "/etc/grafana/dashboards/fastevm.json",
    },
    volumes: [
      "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
      "./deploy/grafana/dashboards:/etc/grafana/dashboards:ro",
      "grafana:/var/lib/grafana",
    ],
    ports: [`127.0.0.1:${GRAFANA_PORT}:3000`],
    restart: "unless-stopped",
  };
  return toYaml(
    { services, volumes: { data: {}, prometheus: {}, grafana: {} } },
    `${GENERATED(`${n} validator pairs`)}# Build the image and start: docker-compose up --build -d (README.md, "The cluster").\n`,
  );
}
