/**
 * `fastevm node --datadir DIR [--authrpc.addr A] [--authrpc.port P] [--authrpc.jwtsecret FILE]
 * [--engine.maxreorgdepth N]`: serves the Engine API (HTTP + WebSocket, JWT) over an initialized datadir.
 * Without --authrpc.jwtsecret a secret is generated once into DIR/jwt.hex (mode 0600); its path is logged,
 * never the secret. SIGINT/SIGTERM close the server, let in-flight engine calls finish, then close the pools
 * and the database. With `--validator --consensus-dir DIR` a consensus validator runs in the same process
 * (node/cli/validator.ts), driving this Engine API through the dispatcher; it stops first on shutdown and
 * prints a `validator summary {…}` line (head, last commit) that `fastevm devnet` reads.
 */

import type { Server } from "node:http";
import { join, resolve } from "node:path";
import { Chain } from "../../chain/chain.ts";
import { ChainStore } from "../../chain/chainStore.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import { SenderCache } from "../../core/tx/senderCache.ts";
import { PayloadPool } from "../../pool/payloadPool.ts";
import { engineMethods } from "../../rpc/engine/engineApi.ts";
import { EngineState } from "../../rpc/engine/engineState.ts";
import { PayloadBuilder } from "../../rpc/engine/payloadBuilder.ts";
import { txpoolEngineMethods } from "../../rpc/engine/txpoolExtension.ts";
import { DEFAULT_BODY_LIMIT, JsonRpcDispatcher } from "../../rpc/jsonrpc.ts";
import { loadOrCreateJwtSecret, readJwtSecret } from "../../rpc/jwt.ts";
import { type RpcServer, startRpcServer } from "../../rpc/server/server.ts";
import { openStorage } from "../../storage/storage.ts";
import { startChainPools } from "../chainWorkers.ts";
import type { CliCommand } from "../command.ts";
import { startTxEndpoint } from "../txEndpoint.ts";
import {
  cachedWorkers,
  type NodeTxPool,
  startNodeTxPool,
  TXPOOL_BOOLEAN_FLAGS,
  TXPOOL_FLAGS,
  type TxPoolFlag,
  txPoolConfigFromFlags,
} from "../txpoolSetup.ts";
import {
  dispatcherEndpoint,
  printValidator,
  printValidatorSummary,
  type RunningValidator,
  startValidator,
} from "../validator.ts";

const USAGE =
  "usage: fastevm node --datadir DIR [--authrpc.addr 127.0.0.1] [--authrpc.port 8551] [--authrpc.jwtsecret FILE] [--engine.maxreorgdepth 64] [--tx-listen HOST:PORT] [--txpool.accountslots 16 --txpool.globalslots 5120 --txpool.accountqueue 64 --txpool.globalqueue 1024 --txpool.lifetime 3h --txpool.pricelimit 1 --txpool.pricebump 10 --txpool.nojournal --rpc.allow-unprotected-txs] [--validator --consensus-dir DIR [--p2p.listen MULTIADDR]]";

interface NodeArgs {
  datadir: string;
  addr: string;
  port: number;
  jwtSecret?: string;
  maxReorgDepth: number;
  /** --validator: run consensus in-process, driving this node's Engine API (node/cli/validator.ts) */
  consensusDir?: string;
  p2pListen?: string;
  txListen?: string;
  /** the `--txpool.*` and `--rpc.allow-unprotected-txs` flags as given */
  txpool: Record<string, string | boolean>;
}

function parseArgs(argv: readonly string[]): NodeArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--validator" || (TXPOOL_BOOLEAN_FLAGS as readonly string[]).includes(a.slice(2))) {
      values.set(a, "true");
      continue;
    }
    const eq = a.indexOf("=");
    const [k, v] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, argv[++i]];
    if (
      ![
        "--datadir",
        "--authrpc.addr",
        "--authrpc.port",
        "--authrpc.jwtsecret",
        "--engine.maxreorgdepth",
        "--consensus-dir",
        "--p2p.listen",
        "--tx-listen",
        ...Object.keys(TXPOOL_FLAGS).map((f) => `--${f}`),
      ].includes(k)
    )
      throw new FastEvmError(ErrorCode.CLI_USAGE, `unknown option ${a}\n${USAGE}`);
    if (v === undefined || v === "")
      throw new FastEvmError(ErrorCode.CLI_USAGE, `${k} needs a value\n${USAGE}`);
    values.set(k, v);
  }
  const datadir = values.get("--datadir");
  if (datadir === undefined) throw new FastEvmError(ErrorCode.CLI_USAGE, `--datadir is required\n${USAGE}`);
  const int = (k: string, dflt: number, max: number) => {
    const s = values.get(k);
    if (s === undefined) return dflt;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || n > max)
      throw new FastEvmError(ErrorCode.CLI_USAGE, `${k}: bad value ${s}\n${USAGE}`);
    return n;
  };
  const jwt = values.get("--authrpc.jwtsecret");
  const consensusDir = values.get("--consensus-dir");
  if (values.has("--validator") !== (consensusDir !== undefined))
    throw new FastEvmError(ErrorCode.CLI_USAGE, `--validator and --consensus-dir go together\n${USAGE}`);
  const p2p = values.get("--p2p.listen");
  const txListen = values.get("--tx-listen");
  const txpool: Record<string, string | boolean> = {};
  for (const f of Object.keys(TXPOOL_FLAGS) as TxPoolFlag[]) {
    const v = values.get(`--${f}`);
    if (v !== undefined) txpool[f] = TXPOOL_BOOLEAN_FLAGS.includes(f) ? true : v;
  }
  return {
    txpool,
    datadir: resolve(datadir),
    addr: values.get("--authrpc.addr") ?? "127.0.0.1",
    port: int("--authrpc.port", 8551, 65535),
    ...(jwt === undefined ? {} : { jwtSecret: resolve(jwt) }),
    maxReorgDepth: int("--engine.maxreorgdepth", 64, 1_000_000),
    ...(consensusDir === undefined ? {} : { consensusDir: resolve(consensusDir) }),
    ...(p2p === undefined ? {} : { p2pListen: p2p }),
    ...(txListen === undefined ? {} : { txListen }),
  };
}

export const nodeCommand: CliCommand = {
  name: "node",
  summary: "run the execution node: the Engine API (HTTP + WebSocket, JWT) over a datadir",
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv);
    // A given secret file is checked before anything opens: a bad file aborts start-up.
    const given = args.jwtSecret === undefined ? undefined : readJwtSecret(args.jwtSecret);
    const storage = openStorage(args.datadir);
    const pools = startChainPools();
    const payloadPool = new PayloadPool();
    const closeAll = async () => {
      await Promise.all([pools.close(), payloadPool.close()]);
      await storage.close();
    };
    let server: RpcServer;
    let engine: EngineState;
    let validator: RunningValidator | undefined;
    let serving: RpcServer | undefined;
    let txpool: NodeTxPool | undefined;
    let txServer: Server | undefined;
    let txEndpoint: string | undefined;
    try {
      const poolConfig = txPoolConfigFromFlags(args.txpool);
      // Throws "run fastevm init" on an empty datadir, before a secret is written into it.
      const chainId = new ChainStore(storage).chainConfig().chainId;
      const senders = new SenderCache();
      const workers = cachedWorkers(pools, chainId, senders);
      const chain = new Chain(storage, workers);
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
        if (r.created) console.error("generated a JWT secret (mode 0600)");
      }
      console.error(`jwt secret: ${secretPath}`);
      const log = (m: string) => console.error(m);
      txpool = await startNodeTxPool({
        chain,
        workers: pools,
        senders,
        datadir: args.datadir,
        config: poolConfig,
        journal: args.txpool["txpool.nojournal"] !== true,
        log,
      });
      const service = txpool.service;
      const builder = new PayloadBuilder(chain, workers, service, (s) => {
        log(`payload build: skipped forced transaction ${s.index} ${s.hash ?? ""}: ${s.reason}`);
        // proposed but left out of the block: the pool proposes it again (if it is still valid)
        if (s.hash !== null) service.returnToPending([hexToBytes(s.hash)]);
      });
      engine = new EngineState(chain, builder, (t) => payloadPool.check(t), {
        maxReorgDepth: args.maxReorgDepth,
        log,
      });
      const methods = new Map(engineMethods(engine));
      for (const [name, h] of txpoolEngineMethods(service)) methods.set(name, h);
      const dispatcher = new JsonRpcDispatcher(methods, { log });
      server = await startRpcServer({
        host: args.addr,
        port: args.port,
        jwtSecret: secret,
        dispatcher,
        bodyLimit: DEFAULT_BODY_LIMIT,
        log,
      });
      serving = server;
      console.error(`head #${head.header.number} ${bytesToHex(head.hash)}`);
      if (args.consensusDir !== undefined) {
        validator = await startValidator({
          consensusDir: args.consensusDir,
          storage,
          engine: dispatcherEndpoint(dispatcher),
          timestampRule: chain.config.timestampRule ?? "strict",
          ...(args.p2pListen === undefined ? {} : { listen: args.p2pListen }),
          txpool: service,
          blockGasLimit: head.header.gasLimit,
          log,
        });
      }
      if (args.txListen !== undefined) {
        txServer = await startTxEndpoint((raws) => service.submit(raws), args.txListen);
        const a = txServer.address();
        if (a !== null && typeof a === "object") txEndpoint = `http://${a.address}:${a.port}/tx`;
      }
    } catch (e) {
      await validator?.stop();
      await new Promise<void>((r) => (txServer === undefined ? r() : txServer.close(() => r())));
      await serving?.close();
      await txpool?.close();
      await closeAll();
      throw e;
    }
    // One stdout line, machine-readable, for scripts and tests (the port matters with --authrpc.port 0).
    console.log(`engine api listening on ${server.host}:${server.port} (${server.kind})`);
    if (validator !== undefined) printValidator(validator);
    if (txEndpoint !== undefined) console.log(`tx endpoint ${txEndpoint}`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        done();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    console.error("shutting down");
    if (validator !== undefined) {
      await validator.stop();
      printValidatorSummary(validator, engine);
    }
    await new Promise<void>((r) => (txServer === undefined ? r() : txServer.close(() => r())));
    await server.close();
    await engine.lock.run(() => undefined);
    await txpool?.close();
    await closeAll();
    console.error("stopped");
    // Idle keep-alive connections would hold the event loop open until they time out.
    setTimeout(() => process.exit(0), 200).unref();
    return 0;
  },
};
