/**
 * A consensus validator wired to an execution node through the Engine API driver: the part `fastevm node
 * --validator` (in-process engine, one LMDB environment) and `fastevm consensus --execution-url`
 * (HTTP + JWT to another process) share. The consensus directory holds the `fastevm keys` files and
 * `committee.json`. Start-up order: read the execution head (its commit stamp is the last executed commit),
 * then start consensus so stored commits after that index are executed again before anything new.
 *
 * A validator far behind (restarted after a long stop, or new) catches up on execution by block sync and on
 * consensus by commit sync, then rejoins: with `blockSync` (the in-process engine's `fastevm node
 * --validator`), block sync starts on the validator's host before consensus does, and the engine driver
 * skips the commits its blocks cover until the first one they do not (EngineDriver.followBlockSync).
 */
import "../network/polyfills.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConsensusNode } from "../consensus/consensusNode.ts";
import { EngineDriver } from "../consensus/execution/engineDriver.ts";
import { ed25519FromKeyFile } from "../consensus/keys.ts";
import { LmdbConsensusStore } from "../consensus/lmdbStore.ts";
import { subDagTransactions } from "../consensus/mysticeti/commit.ts";
import { type Committee, committeeFromJson } from "../consensus/mysticeti/committee.ts";
import { BlockSigner } from "../consensus/signer.ts";
import { equalBytes } from "../core/bytes.ts";
import type { FeeRecipientRule, TimestampRule } from "../core/chain/chainConfig.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";
import type { ExecutionEngine } from "../core/wire/engine.ts";
import type { Logger } from "../metrics/logger.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { createHost, type Host } from "../network/host.ts";
import type { PeerScores } from "../network/peerScores.ts";
import { TxGossip } from "../network/txGossip.ts";
import type { Storage } from "../storage/storage.ts";
import type { TxPoolService } from "../txpool/service/txPoolService.ts";
import { EMPTY_TX_SOURCE, type TxSource } from "../txpool/source.ts";
import { KEY_FILES } from "./commands/keys.ts";
import type { BlockSync } from "./fullNode.ts";
import { validatorReadiness } from "./ops.ts";

export const COMMITTEE_FILE = "committee.json";

/**
 * A validator whose latest block is younger than this proposes what it gossiped itself; past it the
 * others take over its transactions (Sui's consensus adapter: one submitter, the others after a delay).
 */
export const ORIGIN_ACTIVE_MS = 10_000;

export interface ValidatorOptions {
  readonly consensusDir: string;
  /** the LMDB environment holding the consensus tables */
  readonly storage: Storage;
  /** the execution node: `InProcessEngine` (same process) or `HttpExecutionEngine` */
  readonly engine: ExecutionEngine;
  readonly timestampRule?: TimestampRule;
  /** the chain's `config.fastevm.feeRecipient` (default `leader`) */
  readonly feeRecipient?: FeeRecipientRule;
  /** libp2p listen multiaddr (default: the committee's first address for this validator) */
  readonly listen?: string;
  /**
   * The execution node's txpool, when it runs in this process (`fastevm node --validator`): proposals
   * come from it, it hears about other validators' blocks, and it gossips over this validator's host.
   */
  readonly txpool?: TxPoolService;
  /** where proposals come from otherwise (`fastevm consensus --execution-url`: the remote pool) */
  readonly txSource?: TxSource;
  /** the EVM block gas limit: a DAG block carries at most its share (limit / committee size) */
  readonly blockGasLimit?: bigint;
  /** structured logs: execution head, peers, each executed commit (debug), failures */
  readonly logger: Logger;
  /** the process's consensus and p2p metrics */
  readonly metrics?: Pick<Metrics, "consensus" | "p2p">;
  /** the validator stopped on a fatal error (a rejected commit, a safety violation): exit non-zero */
  readonly onFatal?: (e: FastEvmError) => void;
  /**
   * Starts block sync on the validator's host (serving and catching up, node/cli/fullNode.ts) before
   * consensus starts; the driver hands it over to itself at the first commit it does not cover.
   * Absent (`fastevm consensus --execution-url`): the driver executes every commit.
   */
  readonly blockSync?: (ctx: {
    readonly host: Host;
    readonly scores: PeerScores;
    readonly committee: Committee;
  }) => Promise<BlockSync>;
}

export interface RunningValidator {
  readonly node: ConsensusNode;
  readonly driver: EngineDriver;
  readonly host: Host;
  readonly authority: number;
  readonly gossip: TxGossip | undefined;
  /** the catch-up block sync (`blockSync`), stopped once the driver took over */
  readonly sync: BlockSync | undefined;
  /** the /ready verdict (node/cli/ops.ts validatorReadiness) */
  ready(): { readonly ok: true } | { readonly ok: false; readonly reason: string };
  stop(): Promise<void>;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

/** A committee.json (validators and full nodes read the same file); CLI_USAGE when it is not there. */
export function readCommitteeFile(path: string): Committee {
  if (!existsSync(path)) throw new FastEvmError(ErrorCode.CLI_USAGE, `no committee file at ${path}`);
  return committeeFromJson(readJson(path));
}

export async function startValidator(o: ValidatorOptions): Promise<RunningValidator> {
  const committee = readCommitteeFile(join(o.consensusDir, COMMITTEE_FILE));
  const protocol = ed25519FromKeyFile(readJson(join(o.consensusDir, KEY_FILES.protocol)));
  const network = ed25519FromKeyFile(readJson(join(o.consensusDir, KEY_FILES.network)));
  const authority = committee.authorities.findIndex((a) => equalBytes(a.protocolKey, protocol.publicKey));
  if (authority < 0)
    throw new FastEvmError(
      ErrorCode.CLI_USAGE,
      `the protocol key in ${o.consensusDir} is not in the committee`,
    );
  const driver = new EngineDriver({
    engine: o.engine,
    committee,
    ...(o.timestampRule === undefined ? {} : { timestampRule: o.timestampRule }),
    ...(o.feeRecipient === undefined ? {} : { feeRecipient: o.feeRecipient }),
    log: (m) => o.logger.warn(m),
    onRejected: (e) =>
      o.logger.fatal({ commitIndex: e.meta?.commitIndex, reason: e.meta?.reason, code: e.code }, e.message),
    onBlock: (b) =>
      o.logger.debug(
        { block: b.number, hash: b.hash, commitIndex: b.commitIndex, txs: b.transactions },
        "executed commit",
      ),
  });
  const lastExecutedCommit = await driver.init();
  o.logger.info(
    { block: driver.head?.number, hash: driver.head?.hash, commitIndex: lastExecutedCommit },
    "execution head",
  );
  const listen = o.listen ?? committee.authority(authority).addresses[0] ?? "/ip4/127.0.0.1/tcp/0";
  const host = (await createHost({
    networkKey: network.secretKey,
    listen: [listen],
    maxGossipBytes: 8 << 20,
  })) as Host;
  host.addEventListener("peer:connect", (e) =>
    o.logger.info({ peer: e.detail.toString() }, "peer connected"),
  );
  host.addEventListener("peer:disconnect", (e) =>
    o.logger.info({ peer: e.detail.toString() }, "peer disconnected"),
  );
  const pool = o.txpool;
  let gossip: TxGossip | undefined;
  let node: ConsensusNode;
  let sync: BlockSync | undefined;
  try {
    const maxBlockGas =
      o.blockGasLimit === undefined ? undefined : o.blockGasLimit / BigInt(committee.authorities.length);
    node = new ConsensusNode({
      committee,
      authority,
      signer: new BlockSigner(protocol),
      store: new LmdbConsensusStore(o.storage),
      host,
      amnesiaGuard: true,
      transactions: pool ?? o.txSource ?? EMPTY_TX_SOURCE,
      ...(maxBlockGas === undefined ? {} : { core: { maxBlockGas } }),
      ...(pool === undefined ? {} : { onPeerBlockTransactions: (_a, txs) => pool.markSeenInDag(txs) }),
      lastExecutedCommit,
      onCommit: (s) => {
        pool?.committed(subDagTransactions(s));
        return driver.execute(s);
      },
      ...(o.metrics === undefined ? {} : { metrics: o.metrics.consensus, p2p: o.metrics.p2p }),
      logger: o.logger,
      onFatal: (e) => o.onFatal?.(e),
    });
    if (pool !== undefined) {
      const n = node;
      const g = new TxGossip(
        host,
        n.transport.scores,
        { onTransactions: (origin, batch) => pool.onGossip(origin, batch) },
        undefined,
        o.metrics?.p2p,
      );
      g.start();
      gossip = g;
      pool.connect({
        gossip: g,
        // a validator that proposed within ORIGIN_ACTIVE_MS will propose what it gossiped itself
        originActive: (peer) => {
          const a = n.authorityOf(peer);
          return a !== undefined && Date.now() - n.lastBlockTimeOf(a) < ORIGIN_ACTIVE_MS;
        },
      });
    }
    // a committee of one has nobody to sync from
    if (o.blockSync !== undefined && committee.authorities.length > 1) {
      sync = await o.blockSync({ host, scores: node.transport.scores, committee });
      driver.followBlockSync(sync);
    }
    await node.connect();
    await node.start();
  } catch (e) {
    // a failed start must not leave sockets holding the process open
    await sync?.stop();
    gossip?.stop();
    await host.stop();
    throw e;
  }
  return {
    node,
    driver,
    host,
    authority,
    gossip,
    sync,
    ready: () => validatorReadiness(node, committee.authorities.length, driver),
    async stop() {
      // the driver first: a commit waiting on an unreachable engine must not hold the consensus queue
      driver.stop();
      await sync?.stop();
      await node.stop();
      gossip?.stop();
      pool?.connect({});
      await host.stop();
    },
  };
}

/** Stdout lines scripts read (the devnet, the cluster test): the validator's endpoints. */
export function printValidator(v: RunningValidator): void {
  console.log(`validator ${v.authority} peer ${v.host.peerId.toString()}`);
  for (const a of v.host.getMultiaddrs()) console.log(`p2p listening ${a.toString()}`);
}

/** The closing stdout line: head block, last commit index and counters, as one JSON object. */
export function printValidatorSummary(
  v: RunningValidator,
  engine: { chain: { head(): { hash: Uint8Array; header: { number: bigint } } } },
): void {
  const head = engine.chain.head();
  const summary = {
    authority: v.authority,
    headNumber: Number(head.header.number),
    headHash: bytesToHex(head.hash),
    lastCommitIndex: v.node.core.lastCommitIndex,
    lastExecutedCommit: v.driver.lastExecutedCommit,
    driver: v.driver.counters,
    ...(v.sync === undefined ? {} : { sync: v.sync.manager.counters, commits: v.sync.commits.counters }),
  };
  console.log(`validator summary ${JSON.stringify(summary)}`);
}
