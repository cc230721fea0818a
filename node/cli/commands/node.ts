/**
 * `fastevm node --datadir DIR [Engine API flags] [--http …] [--ws …] [--validator …]`: the execution node
 * over an initialized datadir. It always serves the Engine API (HTTP + WebSocket, JWT; 127.0.0.1:8551);
 * with `--http` / `--ws` also the public JSON-RPC (node/rpc/eth/), on its own ports (8545 / 8546; one port
 * when both are given the same address and port), namespaces from `--http.api` / `--ws.api` (`engine_` is
 * never public; `debug` only when listed). Without --authrpc.jwtsecret a secret is generated once into
 * DIR/jwt.hex (mode 0600); its path is logged, never the secret. A taken port is a start-up error.
 * SIGINT/SIGTERM close the servers, let in-flight engine calls finish, then close the pools and the
 * database. With `--validator --consensus-dir DIR` a consensus validator runs in the same process
 * (node/cli/validator.ts), driving this Engine API through the dispatcher; it stops first on shutdown and
 * prints a `validator summary {…}` line (head, last commit) that `fastevm devnet` reads; a validator also
 * serves block sync (node/cli/fullNode.ts). With `--sync --bootnodes MULTIADDR[,…]` it is a full node: no
 * consensus keys, its own libp2p host, the sync manager importing (re-executing) every block from its peers,
 * transaction gossip to the validators; it prints `fullnode peer …`, `p2p listening …` and, on exit,
 * `fullnode summary {…}`.
 *
 * stdout gets one line per server: `engine api listening on HOST:PORT (uws|http)`, `http rpc listening on
 * …`, `ws rpc listening on …`, `metrics listening on …` (scripts and tests read the ports from them when
 * given port 0). Everything else is a log record on stderr (node/metrics/logger.ts: `--log.level`,
 * `--log.format`): each imported block (number, hash, transactions, gas, time) and each transaction the
 * builder skipped (with its reason) at info. `--metrics` serves /metrics, /health and /ready (node/cli/ops.ts
 * says what ready means).
 *
 * SIGTERM / SIGINT, in order: /ready turns 503; stop accepting requests (the validator stops proposing and
 * driving, the transaction endpoint and RPC servers close); finish in-flight work (the Engine API lock
 * drains); persist (the blocks and head moves the engine holds in memory are written, the txpool journal is
 * closed, LMDB flushed); close
 * the pools and the database; then the metrics server. Every step is logged (`shutdown` with `step`).
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_MAX_REORG_DEPTH } from "../../chain/blockPath.ts";
import { Chain, DEFAULT_MEMORY_BLOCK_BUFFER, importMs } from "../../chain/chain.ts";
import { ChainStore } from "../../chain/chainStore.ts";
import { timestampRuleOf } from "../../core/chain/blockRules.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import { SenderCache } from "../../core/tx/senderCache.ts";
import type { RpcMetrics } from "../../metrics/metrics.ts";
import type { MetricsServer } from "../../metrics/server.ts";
import { ExecutePool } from "../../pool/executePool.ts";
import { PayloadPool } from "../../pool/payloadPool.ts";
import { engineMethods } from "../../rpc/engine/engineApi.ts";
import { EngineState } from "../../rpc/engine/engineState.ts";
import { InProcessEngine } from "../../rpc/engine/inProcessEngine.ts";
import { PayloadBuilder } from "../../rpc/engine/payloadBuilder.ts";
import { txpoolEngineMethods } from "../../rpc/engine/txpoolExtension.ts";
import { resolveBlock } from "../../rpc/eth/blockTag.ts";
import { createRpcContext } from "../../rpc/eth/context.ts";
import { DEFAULT_HTTP_APIS, KNOWN_APIS, publicMethods, selectApis } from "../../rpc/eth/methods.ts";
import { stateMethods } from "../../rpc/eth/state.ts";
import { DEFAULT_RPC_EVM_TIMEOUT_MS, DEFAULT_RPC_GAS_CAP } from "../../rpc/eth/stateContext.ts";
import { txpoolMethods } from "../../rpc/eth/txpool.ts";
import {
  DEFAULT_BATCH_LIMIT,
  DEFAULT_BATCH_RESPONSE_LIMIT,
  DEFAULT_BODY_LIMIT,
  JsonRpcDispatcher,
  type RpcMethods,
} from "../../rpc/jsonrpc.ts";
import { jwtSecretPermissionWarning, loadOrCreateJwtSecret, readJwtSecret } from "../../rpc/jwt.ts";
import { DEFAULT_MAX_CONNECTIONS, type RpcServer, startRpcServer } from "../../rpc/server/server.ts";
import { openStorage } from "../../storage/storage.ts";
import { startChainPools } from "../chainWorkers.ts";
import type { CliCommand } from "../command.ts";
import {
  chainSync,
  printFullNode,
  type RunningFullNode,
  type ServedSync,
  serveSync,
  startBlockSync,
  startFullNode,
} from "../fullNode.ts";
import { createOps, executionReadiness, OPS_OPTIONS, OPS_USAGE, type OpsArgs, parseOpsArgs } from "../ops.ts";
import {
  cachedWorkers,
  type NodeTxPool,
  parseDuration,
  startNodeTxPool,
  TXPOOL_BOOLEAN_FLAGS,
  TXPOOL_FLAGS,
  type TxPoolFlag,
  txPoolConfigFromFlags,
} from "../txpoolSetup.ts";
import {
  COMMITTEE_FILE,
  printValidator,
  printValidatorSummary,
  type RunningValidator,
  readCommitteeFile,
  startValidator,
} from "../validator.ts";

const USAGE = `usage: fastevm node --datadir DIR
  [--authrpc.addr 127.0.0.1] [--authrpc.port 8551] [--authrpc.jwtsecret FILE] [--engine.maxreorgdepth ${DEFAULT_MAX_REORG_DEPTH}]
  [--engine.memory-block-buffer ${DEFAULT_MEMORY_BLOCK_BUFFER}]
  [--http [--http.addr 127.0.0.1] [--http.port 8545] [--http.api eth,net,web3,txpool] [--http.corsdomain LIST] [--http.vhosts localhost]]
  [--ws [--ws.addr 127.0.0.1] [--ws.port 8546] [--ws.api eth,net,web3,txpool] [--ws.origins LIST]]
  [--rpc.batch-request-limit 1000] [--rpc.batch-response-max-size 25000000] [--rpc.max-connections 500]
  [--rpc.rangelimit 10000] [--rpc.logs-limit 20000] [--rpc.gascap 50000000] [--rpc.evmtimeout 5s]
  [--txpool.accountslots 16] [--txpool.globalslots 5120] [--txpool.accountqueue 64] [--txpool.globalqueue 1024]
  [--txpool.lifetime 3h] [--txpool.pricelimit 1] [--txpool.pricebump 10] [--txpool.nojournal] [--rpc.allow-unprotected-txs]
  [--validator --consensus-dir DIR [--p2p.listen MULTIADDR]]
  [--sync --bootnodes MULTIADDR[,MULTIADDR…] [--sync.committee DATADIR/committee.json] [--p2p.listen /ip4/127.0.0.1/tcp/0]]
  ${OPS_USAGE}`;

/** The last line `fastevm node` prints once every server is up (and the validator running): scripts wait for it. */
export const NODE_READY_LINE = "node ready";

const usage = (msg: string) => new FastEvmError(ErrorCode.CLI_USAGE, `${msg}\n${USAGE}`);

interface PublicServerArgs {
  readonly addr: string;
  readonly port: number;
  readonly apis: readonly string[];
}

interface NodeArgs {
  datadir: string;
  addr: string;
  port: number;
  jwtSecret?: string;
  maxReorgDepth: number;
  /** `--engine.memory-block-buffer`: queued background writes before the engine's calls wait */
  memoryBlockBuffer: number;
  http?: PublicServerArgs & { corsDomains: readonly string[]; vhosts: readonly string[] };
  ws?: PublicServerArgs & { origins?: readonly string[] };
  batchLimit: number;
  batchResponseLimit: number;
  maxConnections: number;
  logRange: number;
  maxLogs: number;
  /** --validator: run consensus in-process, driving this node's Engine API (node/cli/validator.ts) */
  consensusDir?: string;
  p2pListen?: string;
  /** --sync: a full node following the chain by block sync from these peers (node/cli/fullNode.ts) */
  bootnodes?: readonly string[];
  /** --sync: the validators' committee.json, whose votes certify the commits the blocks are stamped with */
  syncCommittee?: string;
  gasCap: bigint;
  evmTimeoutMs: number;
  /** the `--txpool.*` and `--rpc.allow-unprotected-txs` flags as given */
  txpool: Record<string, string | boolean>;
  /** --metrics, --log.* */
  ops: OpsArgs;
}

const STRING_OPTIONS = [
  "datadir",
  "authrpc.addr",
  "authrpc.port",
  "authrpc.jwtsecret",
  "engine.maxreorgdepth",
  "engine.memory-block-buffer",
  "http.addr",
  "http.port",
  "http.api",
  "http.corsdomain",
  "http.vhosts",
  "ws.addr",
  "ws.port",
  "ws.api",
  "ws.origins",
  "rpc.batch-request-limit",
  "rpc.batch-response-max-size",
  "rpc.max-connections",
  "rpc.rangelimit",
  "rpc.logs-limit",
  "consensus-dir",
  "p2p.listen",
  "bootnodes",
  "sync.committee",
  "rpc.gascap",
  "rpc.evmtimeout",
  ...(Object.keys(TXPOOL_FLAGS) as TxPoolFlag[]).filter((f) => !TXPOOL_BOOLEAN_FLAGS.includes(f)),
] as const;

const list = (s: string): string[] =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");

export function parseNodeArgs(argv: readonly string[]): NodeArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((k) => [k, { type: "string" as const }])),
        validator: { type: "boolean" },
        sync: { type: "boolean" },
        ...Object.fromEntries(TXPOOL_BOOLEAN_FLAGS.map((k) => [k, { type: "boolean" as const }])),
        http: { type: "boolean" },
        ws: { type: "boolean" },
        ...OPS_OPTIONS,
      },
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw usage((e as Error).message);
  }
  const str = (k: string): string | undefined => {
    const v = values[k];
    if (v === "") throw usage(`--${k} needs a value`);
    return typeof v === "string" ? v : undefined;
  };
  const int = (k: string, dflt: number, max: number) => {
    const s = str(k);
    if (s === undefined) return dflt;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || n > max) throw usage(`--${k}: bad value ${s}`);
    return n;
  };
  const apis = (k: string) => {
    const a = list(str(k) ?? DEFAULT_HTTP_APIS.join(","));
    for (const x of a)
      if (!KNOWN_APIS.includes(x)) throw usage(`--${k}: unknown API ${x} (known: ${KNOWN_APIS.join(", ")})`);
    return a;
  };
  const datadir = str("datadir");
  if (datadir === undefined) throw usage("--datadir is required");
  const consensusDir = str("consensus-dir");
  if ((values.validator === true) !== (consensusDir !== undefined))
    throw usage("--validator and --consensus-dir go together");
  for (const k of ["http.addr", "http.port", "http.api", "http.corsdomain", "http.vhosts"])
    if (values[k] !== undefined && values.http !== true) throw usage(`--${k} needs --http`);
  for (const k of ["ws.addr", "ws.port", "ws.api", "ws.origins"])
    if (values[k] !== undefined && values.ws !== true) throw usage(`--${k} needs --ws`);
  const bootnodes = str("bootnodes");
  if (values.sync === true && values.validator === true)
    throw usage("--sync and --validator exclude each other");
  if (values.sync === true && bootnodes === undefined) throw usage("--sync needs --bootnodes");
  if (bootnodes !== undefined && values.sync !== true) throw usage("--bootnodes needs --sync");
  const syncCommittee = str("sync.committee");
  if (syncCommittee !== undefined && values.sync !== true) throw usage("--sync.committee needs --sync");
  if (values["p2p.listen"] !== undefined && values.sync !== true && values.validator !== true)
    throw usage("--p2p.listen needs --validator or --sync");
  const jwt = str("authrpc.jwtsecret");
  const p2p = str("p2p.listen");
  const origins = str("ws.origins");
  const txpool: Record<string, string | boolean> = {};
  for (const f of Object.keys(TXPOOL_FLAGS)) {
    const v = values[f];
    if (v !== undefined) txpool[f] = v;
  }
  const gasCap = str("rpc.gascap");
  if (gasCap !== undefined && !/^\d+$/.test(gasCap)) throw usage(`--rpc.gascap: bad value ${gasCap}`);
  const evmTimeout = str("rpc.evmtimeout");
  return {
    txpool,
    ops: parseOpsArgs(values),
    gasCap: gasCap === undefined ? DEFAULT_RPC_GAS_CAP : BigInt(gasCap),
    evmTimeoutMs:
      evmTimeout === undefined
        ? DEFAULT_RPC_EVM_TIMEOUT_MS
        : evmTimeout === "0"
          ? 0
          : parseDuration("rpc.evmtimeout", evmTimeout),
    datadir: resolve(datadir),
    addr: str("authrpc.addr") ?? "127.0.0.1",
    port: int("authrpc.port", 8551, 65535),
    ...(jwt === undefined ? {} : { jwtSecret: resolve(jwt) }),
    maxReorgDepth: int("engine.maxreorgdepth", DEFAULT_MAX_REORG_DEPTH, 1_000_000),
    memoryBlockBuffer: int("engine.memory-block-buffer", DEFAULT_MEMORY_BLOCK_BUFFER, 1_000_000),
    ...(values.http === true
      ? {
          http: {
            addr: str("http.addr") ?? "127.0.0.1",
            port: int("http.port", 8545, 65535),
            apis: apis("http.api"),
            corsDomains: list(str("http.corsdomain") ?? ""),
            vhosts: list(str("http.vhosts") ?? "localhost"),
          },
        }
      : {}),
    ...(values.ws === true
      ? {
          ws: {
            addr: str("ws.addr") ?? "127.0.0.1",
            port: int("ws.port", 8546, 65535),
            apis: apis("ws.api"),
            ...(origins === undefined ? {} : { origins: list(origins) }),
          },
        }
      : {}),
    batchLimit: int("rpc.batch-request-limit", DEFAULT_BATCH_LIMIT, 1_000_000),
    batchResponseLimit: int("rpc.batch-response-max-size", DEFAULT_BATCH_RESPONSE_LIMIT, 2 ** 31),
    maxConnections: int("rpc.max-connections", DEFAULT_MAX_CONNECTIONS, 1_000_000),
    logRange: int("rpc.rangelimit", 10_000, 2 ** 31),
    maxLogs: int("rpc.logs-limit", 20_000, 2 ** 31),
    ...(consensusDir === undefined ? {} : { consensusDir: resolve(consensusDir) }),
    ...(p2p === undefined ? {} : { p2pListen: p2p }),
    ...(bootnodes === undefined ? {} : { bootnodes: list(bootnodes) }),
    ...(values.sync === true
      ? { syncCommittee: resolve(syncCommittee ?? join(datadir, COMMITTEE_FILE)) }
      : {}),
  };
}

/** Starts the public servers the arguments ask for (HTTP, WebSocket, or one port serving both). */
async function startPublicServers(
  args: NodeArgs,
  methods: RpcMethods,
  log: (m: string) => void,
  metrics: RpcMetrics,
): Promise<{ name: "http rpc" | "ws rpc"; server: RpcServer }[]> {
  const dispatcher = (apis: readonly string[], server: string) =>
    new JsonRpcDispatcher(selectApis(methods, apis), {
      batchLimit: args.batchLimit,
      batchResponseLimit: args.batchResponseLimit,
      log,
      metrics,
      server,
    });
  const common = { jwtSecret: null, bodyLimit: DEFAULT_BODY_LIMIT, maxConnections: args.maxConnections, log };
  const out: { name: "http rpc" | "ws rpc"; server: RpcServer }[] = [];
  const { http, ws } = args;
  try {
    const shared =
      http !== undefined &&
      ws !== undefined &&
      http.port !== 0 &&
      http.addr === ws.addr &&
      http.port === ws.port;
    if (http !== undefined) {
      const server = await startRpcServer({
        ...common,
        host: http.addr,
        port: http.port,
        dispatcher: dispatcher(http.apis, "http"),
        http: true,
        ws: shared,
        vhosts: http.vhosts,
        corsDomains: http.corsDomains,
        ...(shared && ws?.origins !== undefined ? { wsOrigins: ws.origins } : {}),
      });
      out.push({ name: "http rpc", server });
      if (shared) out.push({ name: "ws rpc", server });
    }
    if (ws !== undefined && !shared) {
      const server = await startRpcServer({
        ...common,
        host: ws.addr,
        port: ws.port,
        dispatcher: dispatcher(ws.apis, "ws"),
        http: false,
        ws: true,
        ...(ws.origins === undefined ? {} : { wsOrigins: ws.origins }),
      });
      out.push({ name: "ws rpc", server });
    }
  } catch (e) {
    for (const s of new Set(out.map((o) => o.server))) await s.close();
    throw e;
  }
  return out;
}

export const nodeCommand: CliCommand = {
  name: "node",
  summary:
    "run the execution node: the Engine API (HTTP + WebSocket, JWT) and the public JSON-RPC over a datadir",
  usage: USAGE,
  async run(argv) {
    const args = parseNodeArgs(argv);
    const ops = createOps(args.ops);
    const { logger, metrics } = ops;
    // A given secret file is checked before anything opens: a bad file aborts start-up.
    const given = args.jwtSecret === undefined ? undefined : readJwtSecret(args.jwtSecret);
    const poolConfig = txPoolConfigFromFlags(args.txpool);
    const storage = openStorage(args.datadir);
    const pools = startChainPools({ metrics: metrics.pools });
    const payloadPool = new PayloadPool({ metrics: metrics.pools });
    // eth_call and friends get their own execute worker: a slow call never delays a block
    const rpcPool = new ExecutePool({ threads: 1, name: "rpc", metrics: metrics.pools });
    let dbOpen = true;
    let stopping = false;
    const closeAll = async () => {
      await Promise.all([pools.close(), payloadPool.close(), rpcPool.close()]);
      // LMDB commits are durable once flushed: wait for the last one before closing
      await storage.env.flushed;
      dbOpen = false;
      await storage.close();
    };
    let server: RpcServer;
    let engine: EngineState;
    let validator: RunningValidator | undefined;
    let fullNode: RunningFullNode | undefined;
    let validatorSync: ServedSync | undefined;
    /** set when the validator stops on a fatal error; `wake` ends the wait below */
    let fatal: FastEvmError | undefined;
    let wake: () => void = () => {};
    const servers: RpcServer[] = [];
    let publicServers: { name: string; server: RpcServer }[] = [];
    let closeApi = () => {};
    let txpool: NodeTxPool | undefined;
    let metricsServer: MetricsServer | undefined;
    try {
      // Throws "run fastevm init" on an empty datadir, before a secret is written into it.
      const chainId = new ChainStore(storage).chainConfig().chainId;
      // one recovery per transaction: the pool's senders serve the builder, block import and the RPC
      const senders = new SenderCache();
      const workers = cachedWorkers(pools, chainId, senders);
      // one reorg limit for the chain (import, setHead) and forkchoiceUpdated (-38006)
      const chain = new Chain(storage, workers, {
        maxReorgDepth: args.maxReorgDepth,
        memoryBlockBuffer: args.memoryBlockBuffer,
        metrics: metrics.chain,
        // a block or head move the engine accepted could not be written (disk full, I/O error): stop, exit 1
        onWriteError: (e) => {
          fatal ??= new FastEvmError(ErrorCode.STORAGE, e.message, { cause: e.code });
          logger.fatal({ code: e.code, reason: e.message }, "background write failed: the node stops");
          wake();
        },
        onImported: (r) =>
          logger.info(
            {
              block: r.number,
              hash: bytesToHex(r.hash),
              txs: r.txCount,
              gas: r.gasUsed,
              ms: r.timings === undefined ? undefined : Math.round(importMs(r.timings)),
            },
            "imported block",
          ),
      });
      const head = chain.head();
      let secret: Uint8Array;
      let secretPath: string;
      if (given !== undefined && args.jwtSecret !== undefined) {
        secret = given;
        secretPath = args.jwtSecret;
      } else {
        secretPath = join(args.datadir, "jwt.hex");
        const r = loadOrCreateJwtSecret(secretPath);
        secret = r.secret;
        if (r.created) logger.info({ path: secretPath }, "generated a JWT secret (mode 0600)");
      }
      logger.info({ path: secretPath }, "jwt secret");
      const loose = jwtSecretPermissionWarning(secretPath);
      if (loose !== undefined) logger.warn({ path: secretPath }, loose);
      const log = (m: string) => logger.info(m);
      const warn = (m: string) => logger.warn(m);
      txpool = await startNodeTxPool({
        chain,
        workers: pools,
        senders,
        datadir: args.datadir,
        config: poolConfig,
        journal: args.txpool["txpool.nojournal"] !== true,
        log,
        metrics: metrics.txpool,
      });
      const service = txpool.service;
      const builder = new PayloadBuilder(chain, service, (s) => {
        logger.info({ index: s.index, hash: s.hash, reason: s.reason }, "skipped transaction");
        // proposed but left out of the block: the pool proposes it again (if it is still valid)
        if (s.hash !== null) service.returnToPending([hexToBytes(s.hash)]);
      });
      engine = new EngineState(chain, builder, (t) => payloadPool.check(t), {
        maxReorgDepth: args.maxReorgDepth,
        log: warn,
        metrics: metrics.engine,
      });
      const ctx = createRpcContext(chain, workers.recover, {
        pool: service,
        recovered: (raw) => senders.get(raw),
        limits: { logRange: args.logRange, maxLogs: args.maxLogs },
        // bound late: the validator or the full node starts after the RPC methods are made
        peerCount: () => (validator?.host ?? fullNode?.host)?.getPeers().length ?? 0,
        syncing: () => fullNode?.manager.progress(),
      });
      const api = publicMethods(
        ctx,
        stateMethods({
          chain,
          resolveBlock: (p) => resolveBlock(ctx, p, 1),
          exec: rpcPool,
          gasCap: args.gasCap,
          evmTimeoutMs: args.evmTimeoutMs,
          pendingNonce: (address) => service.pool.pendingNonce(address, service.state),
        }),
        txpoolMethods(service),
      );
      closeApi = () => api.close();
      const engineTable = new Map(engineMethods(engine, api.methods));
      for (const [name, h] of txpoolEngineMethods(service)) engineTable.set(name, h);
      const rpcError = (m: string) => logger.error(m);
      const dispatcher = new JsonRpcDispatcher(engineTable, {
        log: rpcError,
        metrics: metrics.rpc,
        server: "engine",
      });
      const engineState = engine;
      // the metrics port first among the listeners: a taken one fails start-up before anything serves
      metricsServer = await ops.serve({
        health: () => {
          if (!dbOpen) return { ok: false, reason: "database closed" };
          chain.head();
          return { ok: true };
        },
        ready: () => {
          if (stopping) return { ok: false, reason: "shutting down" };
          if (validator !== undefined) return validator.ready();
          if (fullNode !== undefined) return fullNode.ready();
          return executionReadiness(engineState, dispatcher.lastCallMs, Date.now());
        },
      });
      server = await startRpcServer({
        host: args.addr,
        port: args.port,
        jwtSecret: secret,
        dispatcher,
        bodyLimit: DEFAULT_BODY_LIMIT,
        log: rpcError,
      });
      servers.push(server);
      publicServers = await startPublicServers(args, api.methods, rpcError, metrics.rpc);
      for (const p of publicServers) if (!servers.includes(p.server)) servers.push(p.server);
      logger.info({ block: head.header.number, hash: bytesToHex(head.hash) }, "head");
      if (args.consensusDir !== undefined) {
        validator = await startValidator({
          consensusDir: args.consensusDir,
          storage,
          // typed calls into this node's engine: no JSON on the commit-to-block path
          engine: new InProcessEngine(engine),
          timestampRule: timestampRuleOf(chain.config),
          ...(chain.config.feeRecipient === undefined ? {} : { feeRecipient: chain.config.feeRecipient }),
          ...(args.p2pListen === undefined ? {} : { listen: args.p2pListen }),
          txpool: service,
          blockGasLimit: head.header.gasLimit,
          logger,
          metrics,
          // validators serve block sync (to full nodes and each other), scored with the consensus peers, and
          // catch up by it when far behind; imports take the engine's lock like the driver's calls
          blockSync: async ({ host, scores, committee }) => {
            validatorSync = await serveSync(host, scores, chain, metrics);
            return startBlockSync({
              host,
              scores,
              transport: validatorSync.transport,
              ...chainSync(chain, (b) => engineState.lock.run(() => chain.importBlock(b))),
              committee,
              logger,
              metrics,
            });
          },
          onFatal: (e) => {
            fatal = e;
            logger.fatal(
              { code: e.code, commitIndex: e.meta?.commitIndex, reason: e.meta?.reason },
              "validator stopped",
            );
            wake();
          },
        });
      }
      if (args.bootnodes !== undefined) {
        fullNode = await startFullNode({
          datadir: args.datadir,
          committee: readCommitteeFile(args.syncCommittee!),
          chain,
          listen: args.p2pListen ?? "/ip4/127.0.0.1/tcp/0",
          bootnodes: args.bootnodes,
          txpool: service,
          logger,
          metrics,
        });
      }
    } catch (e) {
      await fullNode?.stop();
      await validatorSync?.stop();
      await validator?.stop();
      for (const s of servers) await s.close();
      closeApi();
      await txpool?.close();
      await closeAll();
      await metricsServer?.close();
      throw e;
    }
    // One stdout line per server, machine-readable, for scripts and tests (the port matters with port 0).
    console.log(`engine api listening on ${server.host}:${server.port} (${server.kind})`);
    for (const p of publicServers)
      console.log(`${p.name} listening on ${p.server.host}:${p.server.port} (${p.server.kind})`);
    if (metricsServer !== undefined)
      console.log(`metrics listening on ${metricsServer.host}:${metricsServer.port} (http)`);
    if (validator !== undefined) printValidator(validator);
    if (fullNode !== undefined) printFullNode(fullNode);
    console.log(NODE_READY_LINE);
    // until a signal, or until the validator stops on a fatal error (then the exit status is 1)
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        done();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      wake = stop;
      if (fatal !== undefined) stop();
    });
    stopping = true;
    const step = (name: string) => logger.info({ step: name }, "shutdown");
    step("stop accepting requests");
    await fullNode?.stop();
    await validatorSync?.stop();
    if (validator !== undefined) {
      await validator.stop();
      printValidatorSummary(validator, engine);
    }
    for (const s of servers) await s.close();
    closeApi();
    step("finish in-flight work");
    await engine.lock.run(() => undefined);
    step("persist");
    // every block and head move the engine accepted in memory, written before the database closes
    await engine.chain.persisted().catch((e: unknown) => {
      logger.error({ err: (e as Error).message }, "blocks accepted in memory could not be written");
    });
    await txpool?.close();
    const last = engine.chain.head();
    if (fullNode !== undefined)
      console.log(
        `fullnode summary ${JSON.stringify({ headNumber: Number(last.header.number), headHash: bytesToHex(last.hash), sync: fullNode.manager.counters, commits: fullNode.commits.counters })}`,
      );
    step("close the database");
    await closeAll();
    await metricsServer?.close();
    logger.info({ block: last.header.number, hash: bytesToHex(last.hash) }, "stopped");
    // Idle keep-alive connections would hold the event loop open until they time out.
    const status = fatal === undefined ? 0 : 1;
    setTimeout(() => process.exit(status), 200).unref();
    return status;
  },
};
