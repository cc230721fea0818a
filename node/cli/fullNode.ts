/**
 * Block sync in the `fastevm node` process:
 * - `serveSync`: any node with a libp2p host (a validator's, a full node's) answers status, headers and
 *   bodies from its chain store and announces each new head (`newBlockHashes`) by gossip;
 * - `startBlockSync`: the sync manager with the consensus check, fed by a sync worker's body checks; a full
 *   node runs it for its life, a validator at start-up until its engine driver takes over (catch-up of a
 *   validator far behind, node/consensus/execution/engineDriver.ts `followBlockSync`);
 * - `startFullNode` (`fastevm node --sync --bootnodes …`): its own libp2p host (a network key kept in
 *   DATADIR/p2p.key, mode 0600), block sync, the bootnodes dialled
 *   (and dialled again while unreachable), and transaction gossip so that `eth_sendRawTransaction` on the
 *   full node reaches the validators. No consensus keys: it executes and verifies every block it imports,
 *   and checks each one's commit stamp against commits certified by the committee (`--sync.committee`,
 *   node/sync/commitCheck.ts; certificates asked of the validators on their consensus fetch protocol).
 */
import "../network/polyfills.ts";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { multiaddr } from "@multiformats/multiaddr";
import type { Chain } from "../chain/chain.ts";
import { BlockVerifier } from "../consensus/mysticeti/blockVerifier.ts";
import type { Committee } from "../consensus/mysticeti/committee.ts";
import { Ed25519Verifier } from "../consensus/signer.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex, hexToBytes } from "../core/hex.ts";
import type { Logger } from "../metrics/logger.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { ConsensusFetchClient, DEFAULT_TRANSPORT_LIMITS } from "../network/consensusTransport.ts";
import { createHost, type Host } from "../network/host.ts";
import { PeerScores } from "../network/peerScores.ts";
import { DEFAULT_SYNC_LIMITS, SyncTransport } from "../network/syncTransport.ts";
import { TxGossip } from "../network/txGossip.ts";
import { SyncPool } from "../pool/syncPool.ts";
import { ChainServer } from "../sync/chainServer.ts";
import { CommitChecker } from "../sync/commitCheck.ts";
import { type SyncChain, SyncManager } from "../sync/syncManager.ts";
import type { TxPoolService } from "../txpool/service/txPoolService.ts";

export const FULLNODE_KEY_FILE = "p2p.key";
/** A full node is ready once this close to the best head its peers told it of. */
export const FULLNODE_READY_LAG = 2n;
const REDIAL_MS = 2000;

export interface ServedSync {
  readonly transport: SyncTransport;
  stop(): Promise<void>;
}

/** Serves block sync on `host` from `chain` and announces every new head; scores shared with `scores`. */
export async function serveSync(
  host: Host,
  scores: PeerScores,
  chain: Chain,
  metrics?: Pick<Metrics, "p2p">,
): Promise<ServedSync> {
  const transport = new SyncTransport(
    host,
    scores,
    new ChainServer(chain),
    DEFAULT_SYNC_LIMITS,
    metrics?.p2p,
  );
  await transport.start();
  const off = chain.onHeadChange((c) => {
    void transport.announce(c.added.map((b) => ({ hash: b.hash, number: b.header.number })));
  });
  return {
    transport,
    async stop() {
      off();
      await transport.stop();
    },
  };
}

/** The full node's network key: 32 random bytes, made once (0600). */
function loadOrCreateKey(datadir: string): Uint8Array {
  const path = join(datadir, FULLNODE_KEY_FILE);
  if (existsSync(path)) {
    const hex = readFileSync(path, "utf8").trim();
    try {
      return hexToBytes(hex, 32);
    } catch {
      throw new FastEvmError(ErrorCode.CLI_USAGE, `${path} is not a 32-byte hex key`);
    }
  }
  const key = new Uint8Array(randomBytes(32));
  writeFileSync(path, `${bytesToHex(key)}\n`, { mode: 0o600 });
  return key;
}

export interface FullNodeOptions {
  readonly datadir: string;
  /** the committee the validators run (their committee.json): whose votes certify a commit */
  readonly committee: Committee;
  readonly chain: Chain;
  readonly listen: string;
  readonly bootnodes: readonly string[];
  readonly txpool: TxPoolService;
  readonly logger: Logger;
  readonly metrics?: Pick<Metrics, "p2p" | "pools" | "sync">;
}

export interface RunningFullNode {
  readonly host: Host;
  readonly manager: SyncManager;
  /** the consensus check of every imported block's commit stamp */
  readonly commits: CommitChecker;
  readonly served: ServedSync;
  ready(): { readonly ok: true } | { readonly ok: false; readonly reason: string };
  stop(): Promise<void>;
}

export interface BlockSyncOptions {
  readonly host: Host;
  /** the host's peer scores (a validator's are its consensus transport's) */
  readonly scores: PeerScores;
  /** the sync protocol on `host` (serveSync's) */
  readonly transport: SyncTransport;
  /** where blocks go: `chainSync(chain)` in process, or an execution node's Engine API (engineSyncChain.ts) */
  readonly chain: SyncChain;
  readonly chainId: bigint;
  readonly genesisHash: Uint8Array;
  /** the committee whose votes certify the commits the blocks are stamped with */
  readonly committee: Committee;
  readonly logger: Logger;
  readonly metrics?: Pick<Metrics, "p2p" | "pools" | "sync">;
}

/** Block sync with the consensus check, as full nodes and catching-up validators run it. */
export interface BlockSync {
  readonly manager: SyncManager;
  /** the consensus check of every imported block's commit stamp */
  readonly commits: CommitChecker;
  /** until `stop`: it may still move the head */
  readonly running: boolean;
  /**
   * A peer's head is more than FULLNODE_READY_LAG above ours, or no peer has answered the status handshake
   * yet in the first STATUS_GRACE_MS
   */
  behind(): boolean;
  /** stops it; resolves once no import it started is in flight (its sync worker closed) */
  stop(): Promise<void>;
}

/**
 * Block sync into `chain` in this process: its head, its import (or `importBlock`: a validator's goes
 * through its engine lock) with recovery ahead, its chain id and genesis.
 */
export function chainSync(
  chain: Chain,
  importBlock: SyncChain["importBlock"] = (b) => chain.importBlock(b),
): Pick<BlockSyncOptions, "chain" | "chainId" | "genesisHash"> {
  const genesisHash = chain.store.canonicalHash(0n);
  if (genesisHash === undefined) throw new FastEvmError(ErrorCode.NOT_FOUND, "no genesis block");
  return {
    chain: { head: () => chain.head(), importBlock, recoverAhead: (b) => chain.recoverAhead(b) },
    chainId: chain.config.chainId,
    genesisHash,
  };
}

/** How long after start block sync counts as behind while no peer has told it its head, ms. */
export const STATUS_GRACE_MS = 3000;

/**
 * Starts block sync on `o.host` (node/sync/syncManager.ts): bodies checked in a sync worker, every header's
 * commit stamp checked against commits certified by `o.committee` (node/sync/commitCheck.ts; certificates
 * asked of the validators first, on their consensus fetch protocol), every block re-executed on import.
 */
export function startBlockSync(o: BlockSyncOptions): BlockSync {
  const { host, scores, transport, chain } = o;
  const syncPool = new SyncPool(o.metrics === undefined ? {} : { metrics: o.metrics.pools });
  const fetcher = new ConsensusFetchClient(host, scores, DEFAULT_TRANSPORT_LIMITS, o.metrics?.p2p);
  const verifier = new BlockVerifier(
    o.committee,
    new Ed25519Verifier(o.committee.authorities.map((a) => a.protocolKey)),
  );
  // certificates from validators first (their peer ids are in the committee), then whoever else is connected
  const validatorIds = new Set(o.committee.authorities.map((a) => a.peerId).filter((p) => p !== ""));
  const commits = new CommitChecker({
    committee: o.committee,
    verifyVote: (bytes) => verifier.verifyBytes(bytes),
    // best score first, a random one among equals (the load spread over the validators)
    peers: () => {
      const all = host
        .getPeers()
        .map((p) => ({ id: p.toString(), score: scores.score(p.toString()), tie: Math.random() }))
        .sort((a, b) => b.score - a.score || a.tie - b.tie)
        .map((p) => p.id);
      return [...all.filter((p) => validatorIds.has(p)), ...all.filter((p) => !validatorIds.has(p))];
    },
    fetch: (peer, req) => {
      const id = transport.peerId(peer);
      if (id === undefined)
        return Promise.reject(new FastEvmError(ErrorCode.NETWORK_UNREACHABLE, `peer ${peer} not connected`));
      return fetcher.requestCommits(id, req);
    },
    penalize: (peer, by) => scores.penalize(peer, by),
    log: (fields, msg) => o.logger.info(fields, msg),
  });
  const manager = new SyncManager({
    commits,
    chain,
    transport,
    checkBodies: (t) => syncPool.checkBodies(t),
    chainId: o.chainId,
    genesisHash: o.genesisHash,
    log: (fields, msg) => o.logger.info(fields, msg),
    ...(o.metrics === undefined ? {} : { metrics: o.metrics.sync }),
  });
  manager.start();
  const startedAt = Date.now();
  let running = true;
  let stopping: Promise<void> | undefined;
  return {
    manager,
    commits,
    get running() {
      return running;
    },
    behind() {
      if (manager.peers.length === 0) return Date.now() - startedAt < STATUS_GRACE_MS;
      return manager.targetHead > chain.head().header.number + FULLNODE_READY_LAG;
    },
    stop() {
      running = false;
      stopping ??= manager.stop().finally(() => syncPool.close());
      return stopping;
    },
  };
}

export async function startFullNode(o: FullNodeOptions): Promise<RunningFullNode> {
  const host = (await createHost({
    networkKey: loadOrCreateKey(o.datadir),
    listen: [o.listen],
    maxGossipBytes: 8 << 20,
  })) as Host;
  const scores = new PeerScores(host, o.metrics?.p2p);
  let served: ServedSync | undefined;
  let gossip: TxGossip | undefined;
  let sync: BlockSync | undefined;
  const redials = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  try {
    served = await serveSync(host, scores, o.chain, o.metrics);
    sync = startBlockSync({
      host,
      scores,
      transport: served.transport,
      ...chainSync(o.chain),
      committee: o.committee,
      logger: o.logger,
      ...(o.metrics === undefined ? {} : { metrics: o.metrics }),
    });
    host.addEventListener("peer:connect", (e) =>
      o.logger.info({ peer: e.detail.toString() }, "peer connected"),
    );
    host.addEventListener("peer:disconnect", (e) =>
      o.logger.info({ peer: e.detail.toString() }, "peer disconnected"),
    );
    const pool = o.txpool;
    const g = new TxGossip(
      host,
      scores,
      { onTransactions: (origin, batch) => pool.onGossip(origin, batch) },
      undefined,
      o.metrics?.p2p,
    );
    g.start();
    gossip = g;
    // a full node proposes nothing: what it relays is the validators' to propose
    pool.connect({ gossip: g });
    const dial = (addr: string) => {
      if (stopped) return;
      host.dial(multiaddr(addr)).catch((e: unknown) => {
        o.logger.info({ bootnode: addr, reason: (e as Error).message }, "bootnode unreachable, retrying");
        const t = setTimeout(() => {
          redials.delete(t);
          dial(addr);
        }, REDIAL_MS);
        redials.add(t);
      });
    };
    for (const b of o.bootnodes) dial(b);
  } catch (e) {
    gossip?.stop();
    await sync?.stop();
    await served?.stop();
    await host.stop();
    throw e;
  }
  const s = sync;
  const m = s.manager;
  return {
    host,
    manager: m,
    commits: s.commits,
    served,
    ready() {
      if (m.peers.length === 0) return { ok: false, reason: "no sync peer" };
      const lag = m.targetHead - o.chain.head().header.number;
      if (lag > FULLNODE_READY_LAG) return { ok: false, reason: `syncing: ${lag} blocks behind` };
      return { ok: true };
    },
    async stop() {
      stopped = true;
      for (const t of redials) clearTimeout(t);
      await s.stop();
      gossip?.stop();
      o.txpool.connect({});
      await served?.stop();
      await host.stop();
    },
  };
}

/** Stdout lines scripts read: the full node's peer id and listen addresses. */
export function printFullNode(f: RunningFullNode): void {
  console.log(`fullnode peer ${f.host.peerId.toString()}`);
  for (const a of f.host.getMultiaddrs()) console.log(`p2p listening ${a.toString()}`);
}
