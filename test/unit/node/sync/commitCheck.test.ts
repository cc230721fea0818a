/**
 * The full node's consensus check (node/sync/commitCheck.ts). Four Mysticeti cores run in process and
 * certify ~200 commits (real Ed25519 votes); an EVM dev chain is built with each block stamped with one of
 * those commits (commit index and timestamp in extraData, the commit digest as prevRandao), skipping some
 * indices as empty commits do. Then:
 * - the checker alone, asking a validator's store and core (`serveCommitRange` with `blocks: false`):
 *   verifies every stamped header; refuses a forged prevRandao, a forged stamp timestamp, a missing stamp
 *   and a stamp that does not increase; waits (pending, nobody penalised) for a commit not certified yet;
 *   links ranges whose votes the validator no longer holds to a later certified one; penalises a peer
 *   serving a tampered range or votes of another commit, and completes from the next peer; survives 40
 *   rounds of randomly mutated certificate responses (flipped bits, truncations);
 * - over real libp2p (loopback TCP, noise, yamux): a "validator" host serving block sync and the consensus
 *   fetch protocol, and a Byzantine sync peer serving the same chain relinked from block 10 with a forged
 *   prevRandao. That chain executes to the same state roots (prevRandao is not read), so only the consensus
 *   check can tell: without it a full node takes the forged blocks; with it they are refused, the peer is
 *   penalised, and sync completes with the honest chain's hashes.
 * Reliability matrix (../shared/design/reference/reliability.md) rows 13 (malformed and hostile peer input
 * is refused and scored) apply.
 */
import "../../../../node/network/polyfills.ts";
import type { Stream } from "@libp2p/interface";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import type { VerifiedBlock } from "../../../../node/consensus/mysticeti/block.ts";
import { BlockVerifier } from "../../../../node/consensus/mysticeti/blockVerifier.ts";
import { encodeCommit } from "../../../../node/consensus/mysticeti/commit.ts";
import { serveCommitRange } from "../../../../node/consensus/mysticeti/commitSync.ts";
import type { StoredCommit } from "../../../../node/consensus/mysticeti/store.ts";
import { type BlockHeader, headerHash } from "../../../../node/core/block/header.ts";
import { equalBytes } from "../../../../node/core/bytes.ts";
import { decodeCommitStamp, encodeCommitStamp } from "../../../../node/core/chain/commitStamp.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import type { FetchCommitsRequest, FetchCommitsResponse } from "../../../../node/core/wire/consensus.ts";
import {
  decodeSyncMessage,
  encodeSyncMessage,
  type SyncMessage,
  type SyncResponse,
} from "../../../../node/core/wire/sync.ts";
import { ConsensusFetchClient, ConsensusTransport } from "../../../../node/network/consensusTransport.ts";
import { frame, readFrames } from "../../../../node/network/framing.ts";
import type { Host } from "../../../../node/network/host.ts";
import { PeerScores } from "../../../../node/network/peerScores.ts";
import { SYNC_PROTOCOL, SyncTransport } from "../../../../node/network/syncTransport.ts";
import { SyncPool } from "../../../../node/pool/syncPool.ts";
import { ChainServer } from "../../../../node/sync/chainServer.ts";
import { CommitChecker, type CommitCheckOptions } from "../../../../node/sync/commitCheck.ts";
import { SyncManager } from "../../../../node/sync/syncManager.ts";
import { CoreHarness } from "../../../consensus/utils/coreHarness.ts";
import { Rng } from "../../../consensus/utils/random.ts";
import { ADDRESSES, type DevChain, devTx, openDevChain } from "../../../utils/devChain.ts";
import { caughtUp, connectSync, TestHosts } from "../../../utils/syncNet.ts";

const pools = startChainPools();
const syncPool = new SyncPool();
const BLOCKS = 40;
const h = new CoreHarness();
let source: DevChain;
let commits: StoredCommit[];
let headers: BlockHeader[];
let genesis: BlockHeader;
const hosts = new TestHosts(100);

/** The validator's answer to a commit request: its core's certificates over its store. */
const validatorServes = (req: FetchCommitsRequest): FetchCommitsResponse =>
  serveCommitRange(h.cores[0]!, h.stores[0]!, req.from, req.max, req.blocks !== false);

function checker(
  serve: Record<string, (req: FetchCommitsRequest) => FetchCommitsResponse>,
  penalties: Map<string, number>,
  extra: Partial<CommitCheckOptions> = {},
): CommitChecker {
  return new CommitChecker({
    committee: h.t.committee,
    verifyVote: (bytes) => verifyVote(bytes),
    peers: () => Object.keys(serve),
    fetch: async (peer, req) => serve[peer]!(req),
    penalize: (peer, by) => penalties.set(peer, (penalties.get(peer) ?? 0) + by),
    ...extra,
  });
}

const verifier = new BlockVerifier(h.t.committee, h.t.verifier);
const verifyVote = (bytes: Uint8Array): VerifiedBlock => verifier.verifyBytes(bytes);

const newHost = () => hosts.create();

beforeAll(async () => {
  h.run(10_000);
  commits = h.stores[0]!.readCommits(1, h.stores[0]!.lastCommit()!.commit.index);
  expect(commits.length).toBeGreaterThan(150);
  source = await openDevChain(pools);
  genesis = source.chain.head().header;
  let nonce = 0n;
  for (let i = 0; i < BLOCKS; i++) {
    // every third commit is empty (no EVM block): indices 1, 2, 4, 5, 7, … up to ~60; the last block takes
    // the newest commit, a hundred or more further on
    const c = i === BLOCKS - 1 ? commits[commits.length - 40]! : commits[i + Math.floor(i / 2)]!;
    const txs = [0, 1].map((k) =>
      devTx(0, nonce + BigInt(k), ADDRESSES[1 + ((i + k) % 5)]!, 1000n + BigInt(i)),
    );
    nonce += 2n;
    const block = await source.chain.buildBlock(txs, {
      prevRandao: c.digest,
      extraData: encodeCommitStamp({ index: c.commit.index, timestampMs: c.commit.timestampMs }),
    });
    await source.chain.importBlock(block);
  }
  headers = [];
  for (let n = 1n; n <= BigInt(BLOCKS); n++)
    headers.push(source.chain.store.header(source.chain.store.canonicalHash(n)!)!);
}, 60_000);

afterAll(async () => {
  await hosts.stopAll();
  await source.close();
  await syncPool.close();
  await pools.close();
});

describe("CommitChecker", () => {
  it("verifies blocks stamped with certified commits", async () => {
    const pen = new Map<string, number>();
    const c = checker({ v: validatorServes }, pen);
    expect(await c.check(headers, genesis)).toEqual({ verified: BLOCKS });
    expect(c.certifiedTip).toBeGreaterThanOrEqual(decodeCommitStamp(headers[BLOCKS - 1]!.extraData)!.index);
    // from a later local head it goes on without fetching the chain before it again
    const fetched = c.counters.rangesCertified;
    expect(await c.check(headers.slice(20, 30), headers[19]!)).toEqual({ verified: 10 });
    expect(c.counters.rangesCertified).toBe(fetched);
    expect(pen.size).toBe(0);
  });

  it("refuses forged stamps and prevRandao, and stamps that do not increase", async () => {
    const c = checker({ v: validatorServes }, new Map());
    const at = (i: number, change: Partial<BlockHeader>) =>
      headers.map((x, k) => (k === i ? { ...x, ...change } : x));
    const s5 = decodeCommitStamp(headers[5]!.extraData)!;
    const cases: [BlockHeader[], RegExp][] = [
      [at(5, { mixHash: new Uint8Array(32).fill(9) }), /prevRandao/],
      [
        at(5, { extraData: encodeCommitStamp({ index: s5.index, timestampMs: s5.timestampMs + 1 }) }),
        /timestamp/,
      ],
      [at(5, { extraData: new Uint8Array() }), /no commit stamp/],
      [at(5, { extraData: headers[4]!.extraData, mixHash: headers[4]!.mixHash }), /does not follow/],
    ];
    for (const [hs, reason] of cases) {
      const v = await c.check(hs, genesis);
      expect(v).toMatchObject({ invalid: 5, verified: 5 });
      expect("reason" in v && v.reason).toMatch(reason);
    }
  });

  it("waits for a commit its validators have not certified yet, penalising nobody", async () => {
    const pen = new Map<string, number>();
    // a validator that has formed commits only up to header 9's: the rest are not certified by anyone yet
    const cap = decodeCommitStamp(headers[9]!.extraData)!.index;
    const behind = (req: FetchCommitsRequest): FetchCommitsResponse => {
      const r = validatorServes({ ...req, max: Math.max(0, Math.min(req.max, cap - req.from + 1)) });
      return req.from > cap ? { ...r, commits: [], votes: [] } : r;
    };
    const c = checker({ v: behind }, pen);
    expect(await c.check(headers, genesis)).toEqual({ verified: 10 });
    expect(pen.size).toBe(0);
  });

  it("links ranges whose votes the validator no longer holds to a later certified range", async () => {
    const pen = new Map<string, number>();
    // votes for commits below 150 pruned (or cast before a restart): those ranges come without votes
    const pruned = (req: FetchCommitsRequest): FetchCommitsResponse => {
      const r = validatorServes(req);
      if (r.commits.length === 0 || r.votes.length === 0) return r;
      const last = req.from + r.commits.length - 1;
      if (last >= 150) return r;
      // what serveCommitCertificates answers when no commit of the range has votes: the stored range
      const stored = h.stores[0]!.readCommits(req.from, Math.min(req.from + 99, commits.length));
      return {
        kind: "fetchCommitsResponse",
        commits: stored.map((s) => encodeCommit(s.commit)),
        blocks: [],
        votes: [],
      };
    };
    const c = checker({ v: pruned }, pen);
    expect(await c.check(headers, genesis)).toEqual({ verified: BLOCKS });
    expect(c.counters.rangesLinked).toBeGreaterThan(0);
    expect(c.counters.rangesCertified).toBeGreaterThan(0);
    expect(pen.size).toBe(0);
  });

  it("penalises a peer serving a tampered range or another commit's votes, then asks the next", async () => {
    const pen = new Map<string, number>();
    const tampered = (req: FetchCommitsRequest): FetchCommitsResponse => {
      const r = validatorServes(req);
      const cs = [...r.commits];
      if (cs.length > 3) [cs[1], cs[2]] = [cs[2]!, cs[1]!];
      return { ...r, commits: cs };
    };
    const otherVotes = (req: FetchCommitsRequest): FetchCommitsResponse => {
      const r = validatorServes(req);
      // the range cut one short: its votes certify the commit after its last one
      return { ...r, commits: r.commits.slice(0, -1) };
    };
    const c = checker({ a: tampered, b: otherVotes, v: validatorServes }, pen);
    expect(await c.check(headers, genesis)).toEqual({ verified: BLOCKS });
    expect(pen.get("a")).toBeGreaterThan(0);
    expect(pen.get("b")).toBeGreaterThan(0);
    expect(pen.has("v")).toBe(false);
    expect(c.counters.invalidRanges).toBeGreaterThanOrEqual(2);
  });

  it("survives mutated certificate responses (row 13): refused, completed from the next peer", async () => {
    const rng = new Rng(1313);
    const mutate = (b: Uint8Array): Uint8Array => {
      const out = b.slice(0, rng.chance(0.2) ? rng.int(0, b.length) : b.length);
      for (let k = rng.int(1, 3); k > 0 && out.length > 0; k--) {
        const i = rng.int(0, out.length - 1);
        out[i] = out[i]! ^ (1 << rng.int(0, 7));
      }
      return out;
    };
    for (let round = 0; round < 40; round++) {
      const pen = new Map<string, number>();
      const mutated = (req: FetchCommitsRequest): FetchCommitsResponse => {
        const r = validatorServes(req);
        const commitsOrVotes = rng.chance(0.5);
        const list = commitsOrVotes ? [...r.commits] : [...r.votes];
        if (list.length > 0) {
          const i = rng.int(0, list.length - 1);
          list[i] = mutate(list[i]!);
        }
        return commitsOrVotes ? { ...r, commits: list } : { ...r, votes: list };
      };
      const c = checker({ m: mutated, v: validatorServes }, pen);
      expect(await c.check(headers, genesis)).toEqual({ verified: BLOCKS });
      expect(pen.has("v")).toBe(false);
    }
  });
});

/** Serves block sync from `server`, relinking from block 10 with a forged prevRandao when `forge`. */
async function syncPeer(server: ChainServer, forge: boolean): Promise<{ host: Host; forged: BlockHeader[] }> {
  const host = await newHost();
  const forged: BlockHeader[] = [];
  if (forge) {
    let parent = headerHash(headers[8]!);
    for (const x of headers.slice(9)) {
      const f = { ...x, parentHash: parent, mixHash: new Uint8Array(32).fill(0xee) };
      forged.push(f);
      parent = headerHash(f);
    }
  }
  await host.handle(SYNC_PROTOCOL, async (stream: Stream) => {
    for await (const fr of readFrames(stream, 1 << 20)) {
      const req = decodeSyncMessage(fr);
      let res: SyncResponse;
      if (req.kind === "status") {
        res = server.status();
      } else if (req.kind === "getBlockHeaders") {
        res = server.headers(req);
        if (forge && "number" in req.origin) {
          const from = req.origin.number;
          const real = res.headers.filter((x) => x.number < 10n);
          const fake = forged.filter((x) => x.number >= from).slice(0, req.count - real.length);
          res = { kind: "blockHeaders", headers: [...real, ...fake] };
        }
      } else if (req.kind === "getBlockBodies") {
        // the real bodies (a relinked header keeps its transactions root)
        const bodies = req.hashes.map((hash) => {
          const f = forged.find((x) => equalBytes(headerHash(x), hash));
          return source.chain.store
            .rawBody(f === undefined ? hash : source.chain.store.canonicalHash(f.number)!)!
            .slice();
        });
        res = { kind: "blockBodies", bodies };
      } else return;
      stream.send(frame(encodeSyncMessage(res as SyncMessage)));
      break;
    }
    await stream.close().catch(() => {});
  });
  return { host, forged };
}

async function fullNode(withCheck: boolean) {
  const dev = await openDevChain(pools);
  const host = await newHost();
  const scores = new PeerScores(host);
  const transport = new SyncTransport(host, scores, new ChainServer(dev.chain), {
    requestTimeoutMs: 2000,
    maxRequestBytes: 64 * 1024,
    maxResponseBytes: 4 * 1024 * 1024,
  });
  await transport.start();
  const fetcher = new ConsensusFetchClient(host, scores);
  const commitCheck = new CommitChecker({
    committee: h.t.committee,
    verifyVote: (b) => verifyVote(b),
    peers: () => host.getPeers().map(String),
    fetch: (peer, req) => fetcher.requestCommits(host.getPeers().find((p) => p.toString() === peer)!, req),
    penalize: (peer, by) => scores.penalize(peer, by),
  });
  const manager = new SyncManager({
    chain: dev.chain,
    transport,
    checkBodies: (t) => syncPool.checkBodies(t),
    chainId: dev.chain.config.chainId,
    genesisHash: dev.chain.store.canonicalHash(0n)!,
    bodiesPerRequest: 8,
    headersPerRequest: 16,
    backoffMs: 100,
    statusIntervalMs: 60_000,
    ...(withCheck ? { commits: commitCheck } : {}),
  });
  return { dev, host, scores, transport, manager, commitCheck };
}

describe("block sync with the consensus check, over libp2p", () => {
  it("refuses a chain with a forged prevRandao that executes fine, and syncs the certified one", async () => {
    const server = new ChainServer(source.chain);
    // the validator: block sync and the consensus fetch protocol on one host
    const validator = await syncPeer(server, false);
    const consensus = new ConsensusTransport(validator.host, {
      onBlock: () => "ignore",
      onFetch: (_from, req) =>
        req.kind === "fetchCommits" ? validatorServes(req) : { kind: "fetchBlocksResponse", blocks: [] },
    });
    await consensus.start();
    const byz = await syncPeer(server, true);

    // without the check the forged chain is taken: its blocks execute to the same state roots
    const naive = await fullNode(false);
    await connectSync(naive.host, naive.manager, [byz.host]);
    await caughtUp(naive.manager);
    expect(naive.dev.chain.store.hasBlock(headerHash(byz.forged[0]!))).toBe(true);
    await naive.manager.stop();
    await naive.transport.stop();
    await naive.dev.close();

    // with it: refused, penalised, and the certified chain comes from the validator
    const node = await fullNode(true);
    await connectSync(node.host, node.manager, [byz.host, validator.host]);
    await caughtUp(node.manager);
    const head = node.dev.chain.head();
    expect(bytesToHex(head.hash)).toBe(bytesToHex(source.chain.head().hash));
    for (const f of byz.forged) expect(node.dev.chain.store.hasBlock(headerHash(f))).toBe(false);
    expect(node.manager.counters.invalidCommits).toBeGreaterThan(0);
    expect(node.scores.score(byz.host.peerId.toString())).toBeLessThan(0);
    expect(node.scores.score(validator.host.peerId.toString())).toBe(0);
    // the Byzantine peer serves no consensus protocol: asking it for certificates failed, costing nothing
    expect(node.commitCheck.counters.rangesCertified).toBeGreaterThan(0);
    await node.manager.stop();
    await node.transport.stop();
    await node.dev.close();
  }, 60_000);
});
