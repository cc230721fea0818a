/**
 * Block sync in the `fastevm node` process:
 * - `serveSync`: any node with a libp2p host (a validator's, a full node's) answers status, headers and
 *   bodies from its chain store and announces each new head (`newBlockHashes`) by gossip;
 * - `startFullNode` (`fastevm node --sync --bootnodes …`): its own libp2p host (a network key kept in
 *   DATADIR/p2p.key, mode 0600), the sync manager fed by the sync pool's body checks, the bootnodes dialled
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
import { SyncManager } from "../sync/syncManager.ts";
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

export async function startFullNode(o: FullNodeOptions): Promise<RunningFullNode> {
  const host = (await createHost({
    networkKey: loadOrCreateKey(o.datadir),
    listen: [o.listen],
    maxGossipBytes: 8 << 20,
  })) as Host;
  const scores = new PeerScores(host, o.metrics?.p2p);
  const syncPool = new SyncPool(o.metrics === undefined ? {} : { metrics: o.metrics.pools });
  let served: ServedSync | undefined;
  let gossip: TxGossip | undefined;
  let manager: SyncManager;
  let commitCheck: CommitChecker;
  const redials = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  try {
    served = await serveSync(host, scores, o.chain, o.metrics);
    const genesisHash = o.chain.store.canonicalHash(0n);
    if (genesisHash === undefined) throw new FastEvmError(ErrorCode.NOT_FOUND, "no genesis block");
    const transport = served.transport;
    const fetcher = new ConsensusFetchClient(host, scores, DEFAULT_TRANSPORT_LIMITS, o.metrics?.p2p);
    const verifier = new BlockVerifier(
      o.committee,
      new Ed25519Verifier(o.committee.authorities.map((a) => a.protocolKey)),
    );
    // certificates from validators first (their peer ids are in the committee), then whoever else is connected
    const validatorIds = new Set(o.committee.authorities.map((a) => a.peerId).filter((p) => p !== ""));
    commitCheck = new CommitChecker({
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
          return Promise.reject(
            new FastEvmError(ErrorCode.NETWORK_UNREACHABLE, `peer ${peer} not connected`),
          );
        return fetcher.requestCommits(id, req);
      },
      penalize: (peer, by) => scores.penalize(peer, by),
      log: (fields, msg) => o.logger.info(fields, msg),
    });
    manager = new SyncManager({
      commits: commitCheck,
      chain: o.chain,
      transport,
      checkBodies: (t) => syncPool.checkBodies(t),
      chainId: o.chain.config.chainId,
      genesisHash,
      log: (fields, msg) => o.logger.info(fields, msg),
      ...(o.metrics === undefined ? {} : { metrics: o.metrics.sync }),
    });
    manager.start();
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
    await served?.stop();
    await host.stop();
    await syncPool.close();
    throw e;
  }
  const m = manager;
  return {
    host,
    manager: m,
    commits: commitCheck,
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
      await m.stop();
      gossip?.stop();
      o.txpool.connect({});
      await served?.stop();
      await host.stop();
      await syncPool.close();
    },
  };
}

/** Stdout lines scripts read: the full node's peer id and listen addresses. */
export function printFullNode(f: RunningFullNode): void {
  console.log(`fullnode peer ${f.host.peerId.toString()}`);
  for (const a of f.host.getMultiaddrs()) console.log(`p2p listening ${a.toString()}`);
}
