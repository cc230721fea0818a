/**
 * `fastevm node --datadir DIR [--authrpc.addr A] [--authrpc.port P] [--authrpc.jwtsecret FILE]
 * [--engine.maxreorgdepth N]`: serves the Engine API (HTTP + WebSocket, JWT) over an initialized datadir.
 * Without --authrpc.jwtsecret a secret is generated once into DIR/jwt.hex (mode 0600); its path is logged,
 * never the secret. SIGINT/SIGTERM close the server, let in-flight engine calls finish, then close the pools
 * and the database. With `--validator --consensus-dir DIR` a consensus validator runs in the same process
 * (node/cli/validator.ts), driving this Engine API through the dispatcher; it stops first on shutdown and
 * prints a `validator summary {…}` line (head, last commit) that `fastevm devnet` reads.
 */
import { join, resolve } from "node:path";
import { Chain } from "../../chain/chain.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import { PayloadPool } from "../../pool/payloadPool.ts";
import { engineMethods } from "../../rpc/engine/engineApi.ts";
import { EngineState } from "../../rpc/engine/engineState.ts";
import { PayloadBuilder } from "../../rpc/engine/payloadBuilder.ts";
import { DEFAULT_BODY_LIMIT, JsonRpcDispatcher } from "../../rpc/jsonrpc.ts";
import { loadOrCreateJwtSecret, readJwtSecret } from "../../rpc/jwt.ts";
import { type RpcServer, startRpcServer } from "../../rpc/server/server.ts";
import { openStorage } from "../../storage/storage.ts";
import { startChainPools } from "../chainWorkers.ts";
import type { CliCommand } from "../command.ts";
import {
  dispatcherEndpoint,
  printValidator,
  printValidatorSummary,
  type RunningValidator,
  startValidator,
} from "../validator.ts";

const USAGE =
  "usage: fastevm node --datadir DIR [--authrpc.addr 127.0.0.1] [--authrpc.port 8551] [--authrpc.jwtsecret FILE] [--engine.maxreorgdepth 64] [--validator --consensus-dir DIR [--p2p.listen MULTIADDR] [--tx-listen HOST:PORT]]";

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
}

function parseArgs(argv: readonly string[]): NodeArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--validator") {
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
  return {
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
    try {
      // Throws "run fastevm init" on an empty datadir, before a secret is written into it.
      const chain = new Chain(storage, pools);
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
      const builder = new PayloadBuilder(chain, pools, undefined, (s) =>
        log(`payload build: skipped forced transaction ${s.index} ${s.hash ?? ""}: ${s.reason}`),
      );
      engine = new EngineState(chain, builder, (t) => payloadPool.check(t), {
        maxReorgDepth: args.maxReorgDepth,
        log,
      });
      const dispatcher = new JsonRpcDispatcher(engineMethods(engine), { log });
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
          ...(args.txListen === undefined ? {} : { txListen: args.txListen }),
          log,
        });
      }
    } catch (e) {
      await serving?.close();
      await closeAll();
      throw e;
    }
    // One stdout line, machine-readable, for scripts and tests (the port matters with --authrpc.port 0).
    console.log(`engine api listening on ${server.host}:${server.port} (${server.kind})`);
    if (validator !== undefined) printValidator(validator);
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
    await server.close();
    await engine.lock.run(() => undefined);
    await closeAll();
    console.error("stopped");
    // Idle keep-alive connections would hold the event loop open until they time out.
    setTimeout(() => process.exit(0), 200).unref();
    return 0;
  },
};
