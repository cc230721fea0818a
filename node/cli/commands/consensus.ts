/**
 * `fastevm consensus`: runs one Mysticeti validator over libp2p with its LMDB consensus store, printing
 * each commit. With `--execution-url URL --jwt-secret FILE` it drives an execution node in another process
 * (`fastevm node`) through the Engine API driver (HTTP + JWT): one EVM block per non-empty commit.
 * `--timestamp-rule` and `--fee-recipient` must match the chain's genesis (`config.fastevm.timestampRule`,
 * `config.fastevm.feeRecipient`); an execution node whose chain fixes the fee recipient refuses any other.
 * `--metrics` serves this process's metrics (consensus, p2p, process), /health (the consensus store is
 * open) and /ready (node/cli/ops.ts); logs go to stderr (`--log.level`, `--log.format`).
 */
import "../../network/polyfills.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConsensusNode } from "../../consensus/consensusNode.ts";
import { EngineDriver } from "../../consensus/execution/engineDriver.ts";
import { RemoteTxSource } from "../../consensus/execution/remoteTxSource.ts";
import { ed25519FromKeyFile } from "../../consensus/keys.ts";
import { LmdbConsensusStore } from "../../consensus/lmdbStore.ts";
import { subDagTransactions } from "../../consensus/mysticeti/commit.ts";
import { type Committee, committeeFromJson } from "../../consensus/mysticeti/committee.ts";
import { BlockSigner } from "../../consensus/signer.ts";
import { equalBytes } from "../../core/bytes.ts";
import { DEFAULT_TIMESTAMP_RULE } from "../../core/chain/blockRules.ts";
import { feeRecipientRuleError, feeRecipientRuleOf } from "../../core/chain/chainConfig.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import type { Logger } from "../../metrics/logger.ts";
import type { Metrics } from "../../metrics/metrics.ts";
import { createHost, type Host } from "../../network/host.ts";
import { DEFAULT_SYNC_LIMITS, SyncTransport } from "../../network/syncTransport.ts";
import { EngineHttpClient, HttpExecutionEngine } from "../../rpc/engine/client.ts";
import { readJwtSecret } from "../../rpc/jwt.ts";
import { openStorage } from "../../storage/storage.ts";
import { EngineChainServer, EngineSyncChain } from "../../sync/engineSyncChain.ts";
import type { CliCommand } from "../command.ts";
import { type BlockSync, startBlockSync } from "../fullNode.ts";
import { createOps, OPS_OPTIONS, OPS_USAGE, parseOpsArgs, validatorReadiness } from "../ops.ts";
import { KEY_FILES } from "./keys.ts";

const USAGE = `usage: fastevm consensus --committee FILE --keys DIR --datadir DIR [--listen MULTIADDR] [--execution-url URL --jwt-secret FILE [--timestamp-rule strict|non-decreasing (default strict; pass the chain's)] [--fee-recipient leader|ADDRESS]] [--duration SECONDS] [--quiet] ${OPS_USAGE}`;

function usage(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.CLI_USAGE, `${msg}\n${USAGE}`);
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/**
 * Block sync on the consensus host into the execution node behind `engine` (node/sync/engineSyncChain.ts):
 * the sync protocol served from the same execution node (EngineChainServer), scores shared with consensus.
 */
async function startEngineSync(
  engine: HttpExecutionEngine,
  host: Host,
  node: ConsensusNode,
  committee: Committee,
  logger: Logger,
  metrics: Metrics,
): Promise<{ readonly blocks: BlockSync; readonly transport: SyncTransport }> {
  const identity = await engine.chainIdentity();
  const chain = await EngineSyncChain.open(engine);
  const scores = node.transport.scores;
  const transport = new SyncTransport(
    host,
    scores,
    new EngineChainServer(engine, identity.chainId, identity.genesisHash),
    DEFAULT_SYNC_LIMITS,
    metrics.p2p,
  );
  await transport.start();
  const blocks = startBlockSync({ host, scores, transport, chain, ...identity, committee, logger, metrics });
  return { blocks, transport };
}

export const consensusCommand: CliCommand = {
  name: "consensus",
  summary: "run a Mysticeti consensus validator over libp2p (LMDB consensus store), printing commits",
  usage: USAGE,
  async run(argv) {
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args: [...argv],
        options: {
          committee: { type: "string" },
          keys: { type: "string" },
          datadir: { type: "string" },
          listen: { type: "string" },
          duration: { type: "string" },
          quiet: { type: "boolean" },
          "execution-url": { type: "string" },
          "jwt-secret": { type: "string" },
          "timestamp-rule": { type: "string" },
          "fee-recipient": { type: "string" },
          ...OPS_OPTIONS,
        },
      }).values;
    } catch (e) {
      throw usage((e as Error).message);
    }
    const { committee: committeeFile, keys, datadir } = values;
    if (typeof committeeFile !== "string" || typeof keys !== "string" || typeof datadir !== "string") {
      throw usage("--committee, --keys and --datadir are required");
    }
    const executionUrl = values["execution-url"];
    const jwtFile = values["jwt-secret"];
    if ((typeof executionUrl === "string") !== (typeof jwtFile === "string"))
      throw usage("--execution-url and --jwt-secret go together");
    const rule = values["timestamp-rule"] ?? DEFAULT_TIMESTAMP_RULE;
    if (rule !== "strict" && rule !== "non-decreasing")
      throw usage("--timestamp-rule must be strict or non-decreasing");
    const feeRecipient = feeRecipientRuleOf(values["fee-recipient"] ?? "leader");
    if (feeRecipient === undefined)
      throw usage(feeRecipientRuleError("--fee-recipient", values["fee-recipient"]));
    const ops = createOps(parseOpsArgs(values));
    const { logger, metrics } = ops;
    const committee = committeeFromJson(readJson(committeeFile));
    const protocol = ed25519FromKeyFile(readJson(join(keys, KEY_FILES.protocol)));
    const network = ed25519FromKeyFile(readJson(join(keys, KEY_FILES.network)));
    const authority = committee.authorities.findIndex((a) => equalBytes(a.protocolKey, protocol.publicKey));
    if (authority < 0) throw usage(`the protocol key in ${keys} is not in the committee`);
    const listen =
      typeof values.listen === "string" ? values.listen : committee.authority(authority).addresses[0];
    // the execution node's head first: its commit stamp says where execution stands
    const engine =
      typeof executionUrl === "string" && typeof jwtFile === "string"
        ? new EngineHttpClient(executionUrl, readJwtSecret(jwtFile))
        : undefined;
    // block sync into and out of the execution node (started below, once the host is up)
    let sync: { readonly blocks: BlockSync; readonly transport: SyncTransport } | undefined;
    const httpEngine = engine === undefined ? undefined : new HttpExecutionEngine(engine);
    const driver =
      httpEngine !== undefined
        ? new EngineDriver({
            engine: httpEngine,
            committee,
            timestampRule: rule,
            feeRecipient,
            log: (m) => logger.warn(m),
            onRejected: (e) =>
              logger.fatal(
                { commitIndex: e.meta?.commitIndex, reason: e.meta?.reason, code: e.code },
                e.message,
              ),
            onBlock: (b) => {
              // new heads announced to the block-sync followers (full nodes, validators catching up)
              void sync?.transport.announce([{ hash: hexToBytes(b.hash, 32), number: b.number }]);
              if (values.quiet !== true)
                console.log(`block #${b.number} ${b.hash} commit ${b.commitIndex} txs ${b.transactions}`);
            },
          })
        : undefined;
    const lastExecutedCommit = driver === undefined ? undefined : await driver.init();
    const storage = openStorage(datadir);
    const host = (await createHost({
      networkKey: network.secretKey,
      listen: [listen ?? "/ip4/127.0.0.1/tcp/0"],
      maxGossipBytes: 8 << 20,
    })) as Host;
    let last = 0;
    let stop: () => void = () => {};
    // transactions come from the execution node's pool (submitted there), one prefetched DAG block's worth
    const txSource = engine === undefined ? undefined : new RemoteTxSource(engine);
    const gasLimit = driver?.head?.gasLimit;
    const node = new ConsensusNode({
      committee,
      authority,
      signer: new BlockSigner(protocol),
      store: new LmdbConsensusStore(storage),
      host,
      amnesiaGuard: true,
      ...(txSource === undefined ? {} : { transactions: txSource }),
      ...(gasLimit === undefined
        ? {}
        : { core: { maxBlockGas: gasLimit / BigInt(committee.authorities.length) } }),
      ...(lastExecutedCommit === undefined ? {} : { lastExecutedCommit }),
      metrics: metrics.consensus,
      p2p: metrics.p2p,
      logger,
      // a rejected commit or a safety violation: stop now and exit 1 (no waiting for a signal)
      onFatal: (e) => {
        logger.fatal(
          { code: e.code, commitIndex: e.meta?.commitIndex, reason: e.meta?.reason },
          "validator stopped",
        );
        stop();
      },
      onCommit: async (s) => {
        await driver?.execute(s);
        last = s.commit.index;
        if (values.quiet === true) return;
        const txs = subDagTransactions(s).length;
        console.log(
          `commit ${s.commit.index} leader ${s.leader.round}/${s.leader.author} blocks ${s.blocks.length} txs ${txs} ${bytesToHex(s.commitRef.digest).slice(0, 18)}`,
        );
      },
    });
    // far behind, execution catches up by block sync into the execution node (a committee of one has
    // nobody to sync from); the driver takes the head over at the first commit it does not cover
    if (httpEngine !== undefined && driver !== undefined && committee.authorities.length > 1) {
      try {
        sync = await startEngineSync(httpEngine, host, node, committee, logger, metrics);
      } catch (e) {
        await host.stop();
        await storage.close();
        throw e;
      }
      driver.followBlockSync(sync.blocks);
    }
    console.log(
      `validator ${authority} (${committee.authority(authority).name}) peer ${host.peerId.toString()}`,
    );
    for (const a of host.getMultiaddrs()) console.log(`listening ${a.toString()}`);
    let dbOpen = true;
    let stopping = false;
    let metricsServer: Awaited<ReturnType<typeof ops.serve>>;
    try {
      metricsServer = await ops.serve({
        health: () => (dbOpen ? { ok: true } : { ok: false, reason: "database closed" }),
        ready: () =>
          stopping
            ? { ok: false, reason: "shutting down" }
            : validatorReadiness(node, committee.authorities.length, driver),
      });
    } catch (e) {
      await host.stop();
      await storage.close();
      throw e;
    }
    if (metricsServer !== undefined)
      console.log(`metrics listening on ${metricsServer.host}:${metricsServer.port} (http)`);
    await node.connect();
    await node.start();
    const promise = new Promise<void>((resolve) => {
      stop = () => resolve();
      if (node.fatal !== undefined) resolve();
    });
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const seconds = typeof values.duration === "string" ? Number(values.duration) : undefined;
    const timer = seconds === undefined ? undefined : setTimeout(stop, seconds * 1000);
    await promise;
    if (timer !== undefined) clearTimeout(timer);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    stopping = true;
    logger.info({ step: "stop accepting requests" }, "shutdown");
    driver?.stop();
    await sync?.blocks.stop();
    await sync?.transport.stop();
    await node.stop();
    await host.stop();
    logger.info({ step: "close the database" }, "shutdown");
    await storage.env.flushed;
    dbOpen = false;
    await storage.close();
    await metricsServer?.close();
    console.log(`last commit index ${Math.max(last, node.core.lastCommitIndex)}`);
    console.log(`stats ${JSON.stringify(node.stats())}`);
    if (driver !== undefined)
      console.log(
        `execution head #${driver.head?.number} ${driver.head?.hash} last executed commit ${driver.lastExecutedCommit} ${JSON.stringify(driver.counters)}`,
      );
    if (sync !== undefined)
      console.log(
        `block sync ${JSON.stringify({ sync: sync.blocks.manager.counters, commits: sync.blocks.commits.counters })}`,
      );
    return node.fatal === undefined ? 0 : 1;
  },
};
