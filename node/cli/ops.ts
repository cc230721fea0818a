/**
 * Operations flags and wiring shared by `fastevm node` and `fastevm consensus`: the logger (`--log.level`,
 * `--log.format json|text`), one metrics registry per process (`createMetrics`), and with `--metrics` the
 * metrics server (`--metrics.addr 127.0.0.1 --metrics.port 9001`: /metrics, /health, /ready).
 *
 * What /ready means:
 * - a validator (`fastevm node --validator`, `fastevm consensus`): consensus runs (started, not stopped, no
 *   safety violation); with a committee of more than one, at least one peer is connected; its commit index is
 *   at most READY_COMMIT_LAG behind the highest index validators of quorum stake voted for (the peers' view);
 *   and, with an execution node to drive, execution is at most READY_COMMIT_LAG commits behind consensus.
 * - an execution node without --validator: its consensus client is present — an authenticated Engine API
 *   call arrived within READY_ENGINE_SILENCE_MS (a `fastevm consensus` client asks for transactions on every
 *   proposal) — and the latest forkchoiceUpdated answered VALID (SYNCING or INVALID: the client's head is not
 *   ours, so this node is behind).
 */
import { Registry } from "prom-client";
import type { ConsensusNode } from "../consensus/consensusNode.ts";
import type { EngineDriver } from "../consensus/execution/engineDriver.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import {
  createLogger,
  type LogFormat,
  type Logger,
  type LogLevel,
  parseLogFormat,
  parseLogLevel,
} from "../metrics/logger.ts";
import { createMetrics, type Metrics } from "../metrics/metrics.ts";
import { type Check, type MetricsServer, startMetricsServer } from "../metrics/server.ts";
import type { EngineState } from "../rpc/engine/engineState.ts";
import { FASTEVM_VERSION } from "./version.ts";

/** Commits a ready validator may trail its peers' quorum view (and execution may trail consensus). */
export const READY_COMMIT_LAG = 20;
/** Without an Engine API call for this long, an execution node's consensus client is taken as gone. */
export const READY_ENGINE_SILENCE_MS = 30_000;
export const DEFAULT_METRICS_PORT = 9001;

export const OPS_USAGE =
  "[--metrics [--metrics.addr 127.0.0.1] [--metrics.port 9001]] [--log.level info] [--log.format json|text]";

/** parseArgs options of the operations flags. */
export const OPS_OPTIONS = {
  metrics: { type: "boolean" },
  "metrics.addr": { type: "string" },
  "metrics.port": { type: "string" },
  "log.level": { type: "string" },
  "log.format": { type: "string" },
} as const;

export interface OpsArgs {
  readonly metrics?: { readonly addr: string; readonly port: number };
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

const usage = (msg: string) => new FastEvmError(ErrorCode.CLI_USAGE, msg);

export function parseOpsArgs(values: Readonly<Record<string, string | boolean | undefined>>): OpsArgs {
  const str = (k: string): string | undefined => {
    const v = values[k];
    if (v === "") throw usage(`--${k} needs a value`);
    return typeof v === "string" ? v : undefined;
  };
  const on = values.metrics === true;
  for (const k of ["metrics.addr", "metrics.port"])
    if (values[k] !== undefined && !on) throw usage(`--${k} needs --metrics`);
  const portText = str("metrics.port");
  const port = portText === undefined ? DEFAULT_METRICS_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usage(`--metrics.port: bad value ${portText}`);
  const level = str("log.level");
  const format = str("log.format");
  return {
    ...(on ? { metrics: { addr: str("metrics.addr") ?? "127.0.0.1", port } } : {}),
    logLevel: level === undefined ? "info" : parseLogLevel(level),
    logFormat: format === undefined ? "json" : parseLogFormat(format),
  };
}

export interface Ops {
  readonly logger: Logger;
  /** the process's metrics (always made: components measure whether or not they are served) */
  readonly metrics: Metrics;
  /** starts the metrics server when --metrics was given (a taken port throws METRICS_SERVER) */
  serve(checks: { health: Check; ready: Check }): Promise<MetricsServer | undefined>;
}

export function createOps(args: OpsArgs): Ops {
  const logger = createLogger({ level: args.logLevel, format: args.logFormat });
  const metrics = createMetrics(new Registry(), { version: FASTEVM_VERSION });
  return {
    logger,
    metrics,
    async serve(checks) {
      if (args.metrics === undefined) return undefined;
      return startMetricsServer({
        host: args.metrics.addr,
        port: args.metrics.port,
        registry: metrics.registry,
        ...checks,
      });
    },
  };
}

const ok = { ok: true } as const;
const no = (reason: string) => ({ ok: false, reason }) as const;

/** /ready of a validator (see the file comment). */
export function validatorReadiness(
  node: ConsensusNode,
  committeeSize: number,
  driver?: EngineDriver,
): ReturnType<Check> {
  if (!node.running) return no(node.fatal === undefined ? "consensus is not running" : node.fatal.message);
  const s = node.stats();
  if (committeeSize > 1 && s.peers === 0) return no("no peer connected");
  if (s.quorumCommitIndex - s.lastCommitIndex > READY_COMMIT_LAG)
    return no(`commit ${s.lastCommitIndex}, peers voted for ${s.quorumCommitIndex}`);
  if (driver !== undefined && s.lastCommitIndex - driver.lastExecutedCommit > READY_COMMIT_LAG)
    return no(`executed commit ${driver.lastExecutedCommit} of ${s.lastCommitIndex}`);
  return ok;
}

/** /ready of an execution node driven by a consensus client in another process (see the file comment). */
export function executionReadiness(
  engine: EngineState,
  lastEngineCallMs: number | undefined,
  now: number,
): ReturnType<Check> {
  if (lastEngineCallMs === undefined) return no("no consensus client seen on the Engine API");
  if (now - lastEngineCallMs > READY_ENGINE_SILENCE_MS)
    return no(`no Engine API call for ${Math.round((now - lastEngineCallMs) / 1000)} s`);
  const fcu = engine.lastForkchoice;
  if (fcu !== undefined && fcu.status !== "VALID") return no(`last forkchoiceUpdated answered ${fcu.status}`);
  return ok;
}
