/**
 * The sync manager against in-process peers over real libp2p (loopback TCP, noise, yamux): honest peers
 * serve a dev chain from its store (ChainServer); a Byzantine peer answers on the same protocol with a
 * tampered body, a header chain with a broken link, a header with a forged state root (consistently
 * relinked), an oversized frame, too many bodies, or slowly. Each time the data is refused, the peer loses
 * score, the invalid block is not stored, and sync completes from the honest peers with the source's exact
 * block hashes and state. Also: a peer that keeps sending invalid headers is disconnected past the
 * threshold, a peer on another genesis is dropped at the handshake, and a synced node follows new heads
 * through announcements.
 */
import "../../../../node/network/polyfills.ts";
import type { Stream } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import { decodeBody, encodeBody } from "../../../../node/core/block/block.ts";
import { type BlockHeader, headerHash } from "../../../../node/core/block/header.ts";
import { equalBytes } from "../../../../node/core/bytes.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import {
  decodeSyncMessage,
  encodeSyncMessage,
  type SyncMessage,
  type SyncResponse,
} from "../../../../node/core/wire/sync.ts";
import { createMetrics, type Metrics } from "../../../../node/metrics/metrics.ts";
import { frame, readFrames } from "../../../../node/network/framing.ts";
import type { Host } from "../../../../node/network/host.ts";
import { MIN_SCORE, PeerScores } from "../../../../node/network/peerScores.ts";
import { SYNC_PROTOCOL, SyncTransport } from "../../../../node/network/syncTransport.ts";
import { SyncPool } from "../../../../node/pool/syncPool.ts";
import { ChainServer } from "../../../../node/sync/chainServer.ts";
import { SyncManager } from "../../../../node/sync/syncManager.ts";
import { ADDRESSES, type DevChain, devTx, dumpFlatState, openDevChain } from "../../../utils/devChain.ts";
import { caughtUp, connectSync, TestHosts } from "../../../utils/syncNet.ts";

const pools = startChainPools();
const syncPool = new SyncPool();
const BLOCKS = 40;
let source: DevChain;
let server: ChainServer;
const hosts = new TestHosts(1);
const newHost = () => hosts.create();

/** An honest peer: a host serving `server` (the source chain's store). */
async function honestPeer(s: ChainServer = server): Promise<{ host: Host; transport: SyncTransport }> {
  const host = await newHost();
  const transport = new SyncTransport(host, new PeerScores(host), s);
  await transport.start();
  return { host, transport };
}

type Mode = "tamperBody" | "brokenLink" | "forgedStateRoot" | "oversized" | "tooManyBodies" | "slow";

/**
 * A Byzantine peer: answers the sync protocol itself, from the honest server's answers, changed by `mode`.
 * `forged` holds the relinked headers of "forgedStateRoot" (their bodies are the real ones).
 */
async function byzantinePeer(mode: Mode): Promise<{ host: Host; forged: BlockHeader[] }> {
  const host = await newHost();
  const forged: BlockHeader[] = [];
  if (mode === "forgedStateRoot") {
    let parent = source.chain.store.canonicalHash(9n)!;
    for (let n = 10n; n <= BigInt(BLOCKS); n++) {
      const h = source.chain.store.header(source.chain.store.canonicalHash(n)!)!;
      const f = { ...h, parentHash: parent, ...(n === 10n ? { stateRoot: new Uint8Array(32).fill(7) } : {}) };
      forged.push(f);
      parent = headerHash(f);
    }
  }
  await host.handle(SYNC_PROTOCOL, async (stream: Stream) => {
    for await (const f of readFrames(stream, 1 << 20)) {
      const req = decodeSyncMessage(f);
      let res: SyncResponse;
      if (req.kind === "status") res = server.status();
      else if (req.kind === "getBlockHeaders") {
        res = server.headers(req);
        if (mode === "brokenLink" && res.headers.length > 3) {
          const hs = [...res.headers];
          hs[2] = { ...hs[2]!, gasUsed: hs[2]!.gasUsed + 1n };
          res = { kind: "blockHeaders", headers: hs };
        }
        if (mode === "forgedStateRoot" && "number" in req.origin) {
          const from = req.origin.number;
          const real = res.headers.filter((h) => h.number < 10n);
          const fake = forged.filter((h) => h.number >= from).slice(0, req.count - real.length);
          res = { kind: "blockHeaders", headers: [...real, ...fake] };
        }
      } else if (req.kind === "getBlockBodies") {
        if (mode === "forgedStateRoot") {
          const bodies = req.hashes.map((hash) => {
            const f = forged.find((h) => equalBytes(headerHash(h), hash));
            const real = f === undefined ? hash : source.chain.store.canonicalHash(f.number)!;
            return source.chain.store.rawBody(real)!.slice();
          });
          res = { kind: "blockBodies", bodies };
        } else res = server.bodies(req);
        if (mode === "tamperBody" && res.kind === "blockBodies" && res.bodies.length > 0) {
          const b = decodeBody(res.bodies[0]!);
          // drop the first block's last transaction: the transactions root no longer matches
          const bad = encodeBody({ ...b, transactions: b.transactions.slice(0, -1) });
          res = { kind: "blockBodies", bodies: [bad, ...res.bodies.slice(1)] };
        }
        if (mode === "tooManyBodies" && res.kind === "blockBodies")
          res = { kind: "blockBodies", bodies: [...res.bodies, ...res.bodies] };
      } else return;
      if (mode === "slow" && req.kind !== "status") await new Promise((r) => setTimeout(r, 1500));
      if (mode === "oversized" && req.kind !== "status") {
        // a length prefix far above the limit: refused before anything is buffered
        const lie = new Uint8Array(4 + 1024);
        new DataView(lie.buffer).setUint32(0, 64 * 1024 * 1024);
        stream.send(lie);
      } else stream.send(frame(encodeSyncMessage(res as SyncMessage)));
      break;
    }
    await stream.close().catch(() => {});
  });
  return { host, forged };
}

interface FullNode {
  dev: DevChain;
  host: Host;
  transport: SyncTransport;
  manager: SyncManager;
  metrics: Metrics;
}

async function fullNode(opts: { statusIntervalMs?: number } = {}): Promise<FullNode> {
  const dev = await openDevChain(pools);
  const host = await newHost();
  const transport = new SyncTransport(host, new PeerScores(host), new ChainServer(dev.chain), {
    requestTimeoutMs: 600,
    maxRequestBytes: 64 * 1024,
    maxResponseBytes: 4 * 1024 * 1024,
  });
  await transport.start();
  const metrics = createMetrics(new Registry());
  const manager = new SyncManager({
    metrics: metrics.sync,
    chain: dev.chain,
    transport,
    checkBodies: (t) => syncPool.checkBodies(t),
    chainId: dev.chain.config.chainId,
    genesisHash: dev.chain.store.canonicalHash(0n)!,
    bodiesPerRequest: 4,
    headersPerRequest: 16,
    backoffMs: 100,
    statusIntervalMs: opts.statusIntervalMs ?? 60_000,
  });
  return { dev, host, transport, manager, metrics };
}

const connect = (node: FullNode, peers: readonly Host[]) => connectSync(node.host, node.manager, peers);

function expectSameChain(node: FullNode): void {
  const head = node.dev.chain.head();
  expect(head.header.number).toBe(source.chain.head().header.number);
  expect(bytesToHex(head.hash)).toBe(bytesToHex(source.chain.head().hash));
  for (let n = 1n; n <= head.header.number; n++)
    expect(bytesToHex(node.dev.chain.store.canonicalHash(n)!)).toBe(
      bytesToHex(source.chain.store.canonicalHash(n)!),
    );
  expect(dumpFlatState(node.dev.storage)).toEqual(dumpFlatState(source.storage));
}

const nodes: FullNode[] = [];
async function stopNode(n: FullNode): Promise<void> {
  await n.manager.stop();
  await n.transport.stop();
}

beforeAll(async () => {
  source = await openDevChain(pools);
  let nonce = 0n;
  for (let i = 0; i < BLOCKS; i++) {
    const txs = [0, 1, 2].map((k) =>
      devTx(0, nonce + BigInt(k), ADDRESSES[1 + ((i + k) % 5)]!, 1000n + BigInt(i)),
    );
    nonce += 3n;
    await source.chain.importBlock(await source.chain.buildBlock(txs));
  }
  server = new ChainServer(source.chain);
}, 60_000);

afterAll(async () => {
  for (const n of nodes) await stopNode(n);
  await hosts.stopAll();
  for (const n of nodes) await n.dev.close();
  await source.close();
  await syncPool.close();
  await pools.close();
});

describe("SyncManager", () => {
  it("catches up from honest peers: the same hashes and state, every block re-executed", async () => {
    const node = await fullNode();
    nodes.push(node);
    const a = await honestPeer();
    const b = await honestPeer();
    await connect(node, [a.host, b.host]);
    await caughtUp(node.manager);
    expectSameChain(node);
    expect(node.manager.counters.blocksImported).toBe(BLOCKS);
    expect(node.manager.counters.headerBatches).toBeGreaterThanOrEqual(BLOCKS / 16);
    // both peers served bodies: fetched in parallel from several peers
    expect(a.transport.counters.served).toBeGreaterThan(1);
    expect(b.transport.counters.served).toBeGreaterThan(1);
    expect(node.dev.chain.work.verifyExecutions).toBe(BLOCKS);
    // block N+1's senders recovered while N imported (within a body batch), each transaction once
    expect(node.dev.chain.work.recoveredAhead).toBeGreaterThanOrEqual(BLOCKS / 2);
    expect(node.dev.chain.work.senderLookups).toBe(BLOCKS * 3);
    expect(node.manager.progress()).toBeUndefined();
    const text = await node.metrics.registry.metrics();
    expect(text).toContain(`fastevm_sync_events_total{kind="block_imported"} ${BLOCKS}`);
    expect(text).toContain(`fastevm_sync_target_head ${BLOCKS}`);
    expect(text).toContain("fastevm_sync_peers 2");
  }, 60_000);

  const byzantine: [Mode, keyof SyncManager["counters"] | undefined][] = [
    ["tamperBody", "invalidBodies"],
    ["brokenLink", "invalidHeaders"],
    ["forgedStateRoot", "invalidBlocks"],
    ["oversized", undefined],
    ["tooManyBodies", "invalidBodies"],
    ["slow", "timeouts"],
  ];
  it.each(byzantine)(
    "a Byzantine peer (%s) is refused and penalised; sync completes from honest peers",
    async (mode, counter) => {
      const node = await fullNode();
      nodes.push(node);
      const byz = await byzantinePeer(mode);
      const honest = await honestPeer();
      await connect(node, [byz.host, honest.host]);
      await caughtUp(node.manager);
      expectSameChain(node);
      if (counter !== undefined) expect(node.manager.counters[counter]).toBeGreaterThan(0);
      expect(node.transport.scores.score(byz.host.peerId.toString())).toBeLessThan(0);
      expect(node.transport.scores.score(honest.host.peerId.toString())).toBe(0);
      if (mode === "forgedStateRoot") {
        // the forged block was executed, failed its state root and was never stored
        expect(node.dev.chain.store.hasBlock(headerHash(byz.forged[0]!))).toBe(false);
      }
    },
    60_000,
  );

  it("a peer that keeps sending invalid headers is disconnected past the threshold", async () => {
    const node = await fullNode();
    nodes.push(node);
    const byz = await byzantinePeer("brokenLink");
    const id = byz.host.peerId.toString();
    await connect(node, [byz.host]);
    // alone, it is asked again after each back-off: five invalid batches take it below MIN_SCORE
    const end = Date.now() + 20_000;
    while (node.host.getPeers().some((p) => p.toString() === id) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(node.host.getPeers().map(String)).not.toContain(id);
    expect(node.manager.peers).not.toContain(id);
    expect(node.manager.counters.invalidHeaders).toBeGreaterThanOrEqual(5);
    expect(node.transport.scores.score(id)).toBeLessThan(MIN_SCORE);
    // nothing of its chain was stored past the break; an honest peer then completes the sync
    expect(node.dev.chain.head().header.number).toBeLessThan(BigInt(BLOCKS));
    const honest = await honestPeer();
    await node.host.dial(multiaddr(honest.host.getMultiaddrs()[0]!.toString()));
    await caughtUp(node.manager);
    expectSameChain(node);
  }, 60_000);

  it("drops a peer on another genesis at the handshake", async () => {
    const node = await fullNode();
    nodes.push(node);
    const other = await openDevChain(
      pools,
      {},
      new Map([
        [`0x${"11".repeat(20)}`, { balance: 1n, nonce: 0n, code: new Uint8Array(), storage: new Map() }],
      ]),
    );
    try {
      const stranger = await honestPeer(new ChainServer(other.chain));
      await node.host.dial(multiaddr(stranger.host.getMultiaddrs()[0]!.toString()));
      expect(await node.manager.addPeer(stranger.host.peerId.toString())).toBe(false);
      expect(node.manager.counters.wrongChain).toBe(1);
      expect(node.manager.peers).toEqual([]);
      const gone = Date.now() + 5000;
      while (node.host.getPeers().length > 0 && Date.now() < gone)
        await new Promise((r) => setTimeout(r, 20));
      expect(node.host.getPeers()).toEqual([]);
    } finally {
      await other.close();
    }
  }, 30_000);

  it("follows new heads through announcements", async () => {
    const node = await fullNode({ statusIntervalMs: 600_000 });
    nodes.push(node);
    const a = await honestPeer();
    await connect(node, [a.host]);
    await caughtUp(node.manager);
    // the source grows; the peer announces its new head by gossip (no status refresh in this test)
    let nonce = BigInt(BLOCKS * 3);
    const announced = [];
    for (let i = 0; i < 3; i++) {
      const b = await source.chain.buildBlock([devTx(0, nonce++, ADDRESSES[2]!, 5n)]);
      await source.chain.importBlock(b);
      announced.push({ hash: headerHash(b.header), number: b.header.number });
    }
    const want = source.chain.head().header.number;
    const end = Date.now() + 20_000;
    while (node.dev.chain.head().header.number < want && Date.now() < end) {
      await a.transport.announce(announced);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(node.transport.counters.announcements).toBeGreaterThan(0);
    expectSameChain(node);
  }, 60_000);
});
