/**
 * The txpool service on a real chain (LMDB, the recover and execute pools): admission with geth's refusals,
 * the journal across a restart, proposals (in flight, returned to pending), inclusion and reorg
 * re-injection through the chain's head events, gossip verdicts and seen-in-DAG hold-back.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../../../node/chain/chain.ts";
import { DEV_CHAIN_ID } from "../../../../../node/chain/chainGenerator.ts";
import { type ChainPools, startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { cachedWorkers, type NodeTxPool, startNodeTxPool } from "../../../../../node/cli/txpoolSetup.ts";
import { headerHash } from "../../../../../node/core/block/header.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { SenderCache } from "../../../../../node/core/tx/senderCache.ts";
import { ADDRESSES, type DevChain, devTx, openDevChain } from "../../../../utils/devChain.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

let pools: ChainPools;
let dev: DevChain;
let chain: Chain;
let senders: SenderCache;
const dir = tempDir("fastevm-txpool-service-");

beforeAll(async () => {
  pools = startChainPools();
  dev = await openDevChain(pools);
  senders = new SenderCache();
  chain = new Chain(dev.storage, cachedWorkers(pools, DEV_CHAIN_ID, senders));
});
afterAll(async () => {
  await dev.close();
  await pools.close();
  dir.remove();
});

/** A pool whose journal lives in `dir.path/name` (each test its own, restarts share it). */
let now = 1_000_000;
const start = (name: string, remoteProposalDelayMs = 0): Promise<NodeTxPool> =>
  startNodeTxPool({
    chain,
    workers: pools,
    senders,
    datadir: join(dir.path, name),
    config: { remoteProposalDelayMs },
    clock: () => now,
    journal: true,
    log: () => {},
  });

const LIMITS = { maxCount: 100, maxBytes: 1 << 20, maxGas: 30_000_000n };
const to = ADDRESSES[7]!;

describe("TxPoolService", () => {
  it("admits, refuses with geth's messages, proposes once, follows inclusion and reorgs, journals", async () => {
    const p = await start("a");
    const s = p.service;
    // admission: out-of-order arrival of one sender's nonces ends as one pending run
    const txs = [2n, 0n, 1n].map((n) => devTx(0, n, to, 1n));
    const res = await s.submit(txs);
    expect(res.every((r) => r.ok)).toBe(true);
    expect(s.pool.status()).toEqual({ pending: 3, queued: 0 });

    // refusals, each with its geth message
    const bad = await s.submit([
      devTx(0, 1n, to, 1n), // known
      new Uint8Array([0x02, 0xc0]), // does not decode
      new Uint8Array(200 * 1024).fill(1), // oversized
    ]);
    expect(bad.map((r) => (r.ok ? "ok" : r.error.message.split(":")[0]))).toEqual([
      "already known",
      bad[1]!.ok ? "ok" : bad[1]!.error.message.split(":")[0],
      "oversized data",
    ]);
    expect(bad[1]!.ok).toBe(false);
    expect(bad[1]!.ok === false && bad[1]!.hash).toBe(null);

    // proposals: nonce order, then nothing while in flight; a skipped one comes back
    const first = s.select(LIMITS);
    expect(first.map((r) => bytesToHex(r))).toEqual([0n, 1n, 2n].map((n) => bytesToHex(devTx(0, n, to, 1n))));
    expect(s.select(LIMITS)).toEqual([]);
    s.returnToPending([senders.get(first[2]!)!.hash]);
    expect(s.select(LIMITS).map((r) => bytesToHex(r))).toEqual([bytesToHex(first[2]!)]);

    // the block with nonces 0 and 1 becomes the head: they leave, nonce 2 stays pending
    const genesis = chain.head();
    const b1 = await chain.buildBlock(first.slice(0, 2), { timestamp: 12n });
    await chain.importBlock(b1);
    await s.settled();
    expect(s.pool.status()).toEqual({ pending: 1, queued: 0 });
    expect(senders.hits).toBeGreaterThan(0); // the builder and the import found the pool's senders

    // a reorg back to genesis re-injects them
    chain.setHead(genesis.hash);
    await s.settled();
    expect(s.pool.status()).toEqual({ pending: 3, queued: 0 });
    expect(s.counters.reinjected).toBe(2);
    chain.setHead(headerHash(b1.header));
    await s.settled();
    expect(s.pool.status().pending).toBe(1);

    // restart: the journal brings back the local still pending (nonce 2)
    await p.close();
    const again = await start("a");
    expect(again.restored).toBe(1);
    expect(again.service.pool.status()).toEqual({ pending: 1, queued: 0 });
    await again.close();
  });

  it("gossip: new valid → accept, known → ignore, undecodable → reject; seen in a DAG block → held back", async () => {
    const p = await start("b", 10_000);
    const s = p.service;
    const a = devTx(1, 0n, to, 5n);
    expect(await s.onGossip("peerA", { txs: [a] })).toBe("accept");
    expect(await s.onGossip("peerA", { txs: [a] })).toBe("ignore");
    expect(await s.onGossip("peerA", { txs: [new Uint8Array([1, 2, 3])] })).toBe("reject");
    // a remote transaction waits for its delay; seen in another validator's block, it waits again
    expect(s.select(LIMITS)).toEqual([]);
    now += 10_000;
    s.markSeenInDag([a]);
    expect(s.select(LIMITS)).toEqual([]);
    now += 10_000;
    expect(s.select(LIMITS).map((r) => bytesToHex(r))).toEqual([bytesToHex(a)]);
    // while the origin is active it is not proposed either; once it is not, it is
    const b = devTx(2, 0n, to, 5n);
    expect(await s.onGossip("peerB", { txs: [b] })).toBe("accept");
    let originUp = true;
    s.connect({ originActive: () => originUp });
    now += 10_000;
    expect(s.select(LIMITS)).toEqual([]);
    originUp = false;
    expect(s.select(LIMITS).map((r) => bytesToHex(r))).toEqual([bytesToHex(b)]);
    s.connect({});
    await p.close();
  });

  it("reads a sender's account once per head: later checks use it, and a head change reads the new state", async () => {
    const p = await start("c");
    const s = p.service;
    const sender = ADDRESSES[4]!;
    const store = chain.store;
    const read = store.account.bind(store);
    let reads = 0;
    store.account = (a) => {
      if (bytesToHex(a) === bytesToHex(sender)) reads++;
      return read(a);
    };
    try {
      const base = read(sender)?.nonce ?? 0n;
      const txs = [0n, 1n, 2n].map((k) => devTx(4, base + k, to, 1n));
      expect((await s.submit([txs[0]!])).every((r) => r.ok)).toBe(true);
      expect(reads).toBe(1);
      expect((await s.submit(txs.slice(1))).every((r) => r.ok)).toBe(true);
      expect(reads).toBe(1); // the same head: no second LMDB read
      // the first one is included: the head change empties the cache, the new nonce is read
      const block = await chain.buildBlock([txs[0]!], { timestamp: chain.head().header.timestamp + 12n });
      await chain.importBlock(block);
      await s.settled();
      expect(reads).toBeGreaterThan(1);
      const again = await s.submit([devTx(4, base, to, 2n)]); // the included nonce, re-signed
      expect(again[0]!.ok === false && again[0]!.error.message).toMatch(/^nonce too low/);
      expect(s.pool.status()).toEqual({ pending: 2, queued: 0 });
    } finally {
      store.account = read;
      await p.close();
    }
  });
});
