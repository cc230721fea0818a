/**
 * Full-node catch-up: a full node (its own datadir, libp2p host, `SyncManager` with the production defaults,
 * bodies checked in the sync pool, every block re-executed through `Chain.importBlock`) syncing generated
 * blocks over libp2p loopback (TCP, noise, yamux) from a host serving them from its store, beside the
 * import loop of `fastevm import` (decoded blocks through `Chain.importBlock` in order, in process) of the
 * same blocks into a fresh datadir, in the same run. Both must end on the source's head hash. The target
 * (issue #14): catch-up at ≥ 0.8× the import speed.
 *
 * The generated chain carries no commit stamps, so the consensus check (node/sync/commitCheck.ts) is not
 * part of this measure: it fetches 100 commits per request, a few per thousand blocks.
 * BENCH_SYNC_BLOCKS (default 1,000) and BENCH_SYNC_TXS (transfers per block, default 50) size the chain.
 */
import "../../node/network/polyfills.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multiaddr } from "@multiformats/multiaddr";
import { Chain } from "../../node/chain/chain.ts";
import { generateChain } from "../../node/chain/chainGenerator.ts";
import { type ChainPools, startChainPools } from "../../node/cli/chainWorkers.ts";
import { decodeBlock, encodeBlock } from "../../node/core/block/block.ts";
import { headerHash } from "../../node/core/block/header.ts";
import { equalBytes } from "../../node/core/bytes.ts";
import { parseGenesisText } from "../../node/core/chain/genesisJson.ts";
import { createHost, type Host } from "../../node/network/host.ts";
import { PeerScores } from "../../node/network/peerScores.ts";
import { SyncTransport } from "../../node/network/syncTransport.ts";
import { SyncPool } from "../../node/pool/syncPool.ts";
import { writeGenesis } from "../../node/state/genesis.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { ChainServer } from "../../node/sync/chainServer.ts";
import { SyncManager } from "../../node/sync/syncManager.ts";

const BLOCKS = Number(process.env.BENCH_SYNC_BLOCKS ?? 1000);
const TXS = Number(process.env.BENCH_SYNC_TXS ?? 50);

interface Run {
  readonly name: string;
  readonly seconds: number;
}

async function freshChain(genesisJson: string, pools: ChainPools) {
  const dir = mkdtempSync(join(tmpdir(), "fastevm-bench-sync-"));
  const storage = openStorage(join(dir, "datadir"));
  await writeGenesis(storage, parseGenesisText(genesisJson));
  return {
    chain: new Chain(storage, pools),
    async close() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function host(seed: number): Promise<Host> {
  return (await createHost({
    networkKey: new Uint8Array(32).fill(seed),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    maxGossipBytes: 1 << 20,
  })) as Host;
}

export async function runSyncBench(): Promise<void> {
  const pools = startChainPools();
  const syncPool = new SyncPool();
  const srcDir = mkdtempSync(join(tmpdir(), "fastevm-bench-sync-src-"));
  const runs: Run[] = [];
  try {
    const t0 = performance.now();
    const gen = await generateChain(
      {
        blocks: BLOCKS,
        txsPerBlock: TXS,
        kind: "transfer",
        seed: 3,
        senders: 256,
        datadir: join(srcDir, "d"),
      },
      pools,
    );
    console.error(`generated ${BLOCKS} blocks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const head = gen.blocks.at(-1)!;
    const headHash = headerHash(head.header);

    // the peer: the import loop of `fastevm import`, on the blocks as a chain file holds them (RLP)
    {
      const raws = gen.blocks.map(encodeBlock);
      const c = await freshChain(gen.genesisJson, pools);
      try {
        const t = performance.now();
        for (const raw of raws) await c.chain.importBlock(decodeBlock(raw));
        await c.chain.persisted();
        runs.push({ name: "fastevm import (in process)", seconds: (performance.now() - t) / 1000 });
        if (!equalBytes(c.chain.head().hash, headHash)) throw new Error("import ended on another head");
      } finally {
        await c.close();
      }
    }

    // catch-up: a full node syncing from a host serving the source datadir
    {
      const srcStorage = openStorage(join(srcDir, "d"));
      const source = new Chain(srcStorage, pools);
      const server = await host(71);
      const serving = new SyncTransport(server, new PeerScores(server), new ChainServer(source));
      await serving.start();
      const c = await freshChain(gen.genesisJson, pools);
      const client = await host(72);
      const transport = new SyncTransport(client, new PeerScores(client), new ChainServer(c.chain));
      await transport.start();
      const manager = new SyncManager({
        chain: c.chain,
        transport,
        checkBodies: (task) => syncPool.checkBodies(task),
        chainId: c.chain.config.chainId,
        genesisHash: c.chain.store.canonicalHash(0n)!,
      });
      try {
        await client.dial(multiaddr(server.getMultiaddrs()[0]!.toString()));
        const t = performance.now();
        await manager.addPeer(server.peerId.toString());
        manager.start();
        await manager.whenCaughtUp();
        await c.chain.persisted();
        runs.push({ name: "full node catch-up (libp2p)", seconds: (performance.now() - t) / 1000 });
        if (!equalBytes(c.chain.head().hash, headHash)) throw new Error("catch-up ended on another head");
      } finally {
        await manager.stop();
        await transport.stop();
        await serving.stop();
        await client.stop();
        await server.stop();
        await c.close();
        await srcStorage.close();
      }
    }

    const mgas = Number(gen.gasUsed) / 1e6;
    console.log(
      `\nfull-node catch-up vs import (${BLOCKS} blocks x ${TXS} transfers, ${gen.txCount} txs, ${mgas.toFixed(1)} Mgas; LMDB with fsync; 1 execute + 1 recover thread; sync defaults: 192 headers, 4 x 32 bodies in flight)`,
    );
    for (const r of runs)
      console.log(
        `${r.name.padEnd(30)} ${(BLOCKS / r.seconds).toFixed(1).padStart(8)} blocks/s ${(mgas / r.seconds).toFixed(1).padStart(7)} Mgas/s ${(gen.txCount / r.seconds).toFixed(0).padStart(7)} tx/s  (${r.seconds.toFixed(2)} s)`,
      );
    const [imp, sync] = runs;
    console.log(`catch-up / import: ${(imp!.seconds / sync!.seconds).toFixed(2)}x (target >= 0.8x)`);
  } finally {
    await syncPool.close();
    await pools.close();
    rmSync(srcDir, { recursive: true, force: true });
  }
}
