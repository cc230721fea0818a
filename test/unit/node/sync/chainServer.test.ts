/**
 * Serving block sync: ChainServer's answers (status; headers by number and by hash with count, skip and
 * reverse, capped and stopping at the chain's ends; bodies in order, stopping at an unknown hash and past the
 * soft byte limit), and the transport's request handler under random and mutated request frames over real
 * libp2p: it never falls over, answers what is valid, and penalises the sender of what is not.
 */
import "../../../../node/network/polyfills.ts";
import { multiaddr } from "@multiformats/multiaddr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import { encodeBody } from "../../../../node/core/block/block.ts";
import { headerHash } from "../../../../node/core/block/header.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import {
  decodeSyncMessage,
  encodeSyncMessage,
  MAX_HEADERS_SERVE,
  type SyncRequest,
} from "../../../../node/core/wire/sync.ts";
import { frame, readFrames } from "../../../../node/network/framing.ts";
import { createHost, type Host } from "../../../../node/network/host.ts";
import { PeerScores } from "../../../../node/network/peerScores.ts";
import { SYNC_PROTOCOL, SyncTransport } from "../../../../node/network/syncTransport.ts";
import { ChainServer } from "../../../../node/sync/chainServer.ts";
import { ADDRESSES, type DevChain, devTx, openDevChain } from "../../../utils/devChain.ts";

const pools = startChainPools();
const BLOCKS = 12;
let dev: DevChain;
let server: ChainServer;
const hashAt = (n: number) => dev.chain.store.canonicalHash(BigInt(n))!;

beforeAll(async () => {
  dev = await openDevChain(pools);
  for (let i = 0; i < BLOCKS; i++)
    await dev.chain.importBlock(await dev.chain.buildBlock([devTx(0, BigInt(i), ADDRESSES[1]!, 1n)]));
  server = new ChainServer(dev.chain);
}, 60_000);

afterAll(async () => {
  await dev.close();
  await pools.close();
});

const numbers = (r: ReturnType<ChainServer["headers"]>) => r.headers.map((h) => Number(h.number));

describe("ChainServer", () => {
  it("status: chain id, genesis and head", () => {
    const s = server.status();
    expect(s.chainId).toBe(dev.chain.config.chainId);
    expect(bytesToHex(s.genesisHash)).toBe(bytesToHex(hashAt(0)));
    expect(s.headNumber).toBe(BigInt(BLOCKS));
    expect(bytesToHex(s.headHash)).toBe(bytesToHex(dev.chain.head().hash));
  });

  it("headers: by number or hash, with skip and reverse, stopping at the ends", () => {
    const q = (origin: { number: bigint } | { hash: Uint8Array }, count: number, skip = 0, reverse = false) =>
      numbers(server.headers({ kind: "getBlockHeaders", origin, count, skip, reverse }));
    expect(q({ number: 1n }, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(q({ number: 10n }, 5)).toEqual([10, 11, 12]);
    expect(q({ number: 2n }, 4, 2)).toEqual([2, 5, 8, 11]);
    expect(q({ number: 5n }, 10, 1, true)).toEqual([5, 3, 1]);
    expect(q({ number: 13n }, 3)).toEqual([]);
    expect(q({ hash: hashAt(7) }, 3)).toEqual([7, 8, 9]);
    expect(q({ hash: new Uint8Array(32).fill(9) }, 3)).toEqual([]);
    const all = server.headers({
      kind: "getBlockHeaders",
      origin: { number: 0n },
      count: 50,
      skip: 0,
      reverse: false,
    });
    expect(all.headers.map((h) => bytesToHex(headerHash(h)))).toEqual(
      Array.from({ length: BLOCKS + 1 }, (_, i) => bytesToHex(hashAt(i))),
    );
    // capped below the protocol's ceiling when asked
    const small = new ChainServer(dev.chain, { maxHeaders: 2 });
    expect(
      numbers(
        small.headers({ kind: "getBlockHeaders", origin: { number: 1n }, count: 9, skip: 0, reverse: false }),
      ),
    ).toEqual([1, 2]);
    expect(MAX_HEADERS_SERVE).toBe(192);
  });

  it("bodies: in order, the stored bytes, stopping at an unknown hash or past the soft limit", () => {
    const hashes = [1, 2, 3].map(hashAt);
    const r = server.bodies({ kind: "getBlockBodies", hashes });
    expect(r.bodies.map(bytesToHex)).toEqual(hashes.map((h) => bytesToHex(dev.chain.store.rawBody(h)!)));
    const gap = server.bodies({ kind: "getBlockBodies", hashes: [hashAt(1), new Uint8Array(32), hashAt(2)] });
    expect(gap.bodies).toHaveLength(1);
    const soft = new ChainServer(dev.chain, { softResponseBytes: 1 });
    expect(soft.bodies({ kind: "getBlockBodies", hashes }).bodies).toHaveLength(1);
  });

  it("serves the engine tree's blocks before the writer has stored them", async () => {
    const mem = await openDevChain(pools);
    try {
      const s = new ChainServer(mem.chain);
      const blocks = [];
      for (let i = 0; i < 3; i++) {
        const b = await mem.chain.buildBlock([devTx(0, BigInt(i), ADDRESSES[2]!, 5n)]);
        await mem.chain.acceptBlock(b);
        await mem.chain.forkchoice(headerHash(b.header));
        blocks.push(b);
      }
      // answered in this same macrotask: the background writer has not run yet
      expect(mem.chain.unpersisted).toBeGreaterThan(0);
      const top = blocks[2]!;
      expect(mem.chain.store.rawBody(headerHash(top.header))).toBeUndefined();
      expect(s.status().headNumber).toBe(3n);
      expect(bytesToHex(s.status().headHash)).toBe(bytesToHex(headerHash(top.header)));
      const hs = s.headers({
        kind: "getBlockHeaders",
        origin: { number: 1n },
        count: 10,
        skip: 0,
        reverse: false,
      });
      expect(hs.headers.map((h) => bytesToHex(headerHash(h)))).toEqual(
        blocks.map((b) => bytesToHex(headerHash(b.header))),
      );
      const back = s.headers({
        kind: "getBlockHeaders",
        origin: { hash: headerHash(top.header) },
        count: 4,
        skip: 0,
        reverse: true,
      });
      expect(numbers(back)).toEqual([3, 2, 1, 0]);
      const bodies = s.bodies({ kind: "getBlockBodies", hashes: blocks.map((b) => headerHash(b.header)) });
      expect(bodies.bodies.map(bytesToHex)).toEqual(blocks.map((b) => bytesToHex(encodeBody(b))));
      // once stored, the same answers from the store
      await mem.chain.persisted();
      expect(mem.chain.unpersisted).toBe(0);
      const stored = s.bodies({ kind: "getBlockBodies", hashes: blocks.map((b) => headerHash(b.header)) });
      expect(stored.bodies.map(bytesToHex)).toEqual(bodies.bodies.map(bytesToHex));
      expect(
        numbers(
          s.headers({ kind: "getBlockHeaders", origin: { number: 1n }, count: 10, skip: 0, reverse: false }),
        ),
      ).toEqual([1, 2, 3]);
    } finally {
      await mem.close();
    }
  });
});

describe("the sync request handler under random and mutated input", () => {
  let serving: { host: Host; transport: SyncTransport };
  let client: Host;
  const clients: Host[] = [];
  beforeAll(async () => {
    const mk = async (seed: number) =>
      (await createHost({
        networkKey: new Uint8Array(32).fill(seed),
        listen: ["/ip4/127.0.0.1/tcp/0"],
        maxGossipBytes: 1 << 20,
      })) as Host;
    const host = await mk(101);
    serving = { host, transport: new SyncTransport(host, new PeerScores(host), server) };
    await serving.transport.start();
    client = await mk(102);
    await client.dial(multiaddr(host.getMultiaddrs()[0]!.toString()));
  });
  afterAll(async () => {
    for (const c of clients) await c.stop();
    await client.stop();
    await serving.transport.stop();
    await serving.host.stop();
  });

  /**
   * One raw request frame from `from`; the decoded answer's kind, or undefined when the server refused.
   * Each client sends at most 4 requests, so none is hung up on (4 × INVALID_PENALTY is not below MIN_SCORE).
   */
  async function send(from: Host, bytes: Uint8Array): Promise<string | undefined> {
    const stream = await from.dialProtocol(serving.host.peerId, SYNC_PROTOCOL);
    try {
      stream.send(frame(bytes));
      for await (const f of readFrames(stream, 32 << 20)) return decodeSyncMessage(f).kind;
      return undefined;
    } catch {
      return undefined;
    } finally {
      await stream.close().catch(() => {});
    }
  }

  let lastClientAt = 0;
  async function newClient(): Promise<Host> {
    // libp2p resets inbound connections from one address beyond a few per second: pace them
    const wait = lastClientAt + 300 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lastClientAt = Date.now();
    const c = (await createHost({
      networkKey: new Uint8Array(32).fill(110 + clients.length),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      maxGossipBytes: 1 << 20,
    })) as Host;
    clients.push(c);
    await c.dial(multiaddr(serving.host.getMultiaddrs()[0]!.toString()));
    return c;
  }
  it("answers valid requests, refuses mutated ones, never falls over", async () => {
    const valid: SyncRequest[] = [
      server.status(),
      { kind: "getBlockHeaders", origin: { number: 1n }, count: 4, skip: 1, reverse: false },
      { kind: "getBlockHeaders", origin: { hash: hashAt(3) }, count: 2, skip: 0, reverse: true },
      { kind: "getBlockBodies", hashes: [hashAt(1), hashAt(2)] },
    ];
    expect(await Promise.all(valid.map((r) => send(client, encodeSyncMessage(r))))).toEqual([
      "status",
      "blockHeaders",
      "blockHeaders",
      "blockBodies",
    ]);
    let seed = 11;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    let answered = 0;
    let refused = 0;
    let from = client;
    for (let k = 0; k < 60; k++) {
      if (k % 4 === 0) from = await newClient();
      const good = encodeSyncMessage(valid[k % valid.length]!);
      const b = k % 3 === 0 ? new Uint8Array(1 + (rnd() % 64)).map(() => rnd() % 256) : good.slice();
      const at = rnd() % b.length;
      b[at] = b[at]! ^ (1 << (rnd() % 8));
      const kind = await send(from, b);
      if (kind === undefined) refused++;
      else {
        answered++;
        expect(["status", "blockHeaders", "blockBodies"]).toContain(kind);
      }
    }
    expect(refused).toBeGreaterThan(0);
    const c = serving.transport.counters;
    expect(c.refused).toBe(refused);
    expect(c.served).toBe(4 + answered);
    // the senders of garbage lost score; the server still serves
    expect(clients.some((x) => serving.transport.scores.score(x.peerId.toString()) < 0)).toBe(true);
    const fresh = (await createHost({
      networkKey: new Uint8Array(32).fill(103),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      maxGossipBytes: 1 << 20,
    })) as Host;
    try {
      const t = new SyncTransport(fresh, new PeerScores(fresh), undefined);
      await fresh.dial(multiaddr(serving.host.getMultiaddrs()[0]!.toString()));
      const st = await t.request(serving.host.peerId.toString(), server.status());
      expect(st.headNumber).toBe(BigInt(BLOCKS));
    } finally {
      await fresh.stop();
    }
  }, 60_000);
});
