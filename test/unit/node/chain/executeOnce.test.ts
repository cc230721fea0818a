/**
 * Each job once, on real datadirs and pools: a block the payload builder executed imports without recovery
 * or execution and leaves exactly the tables an executed import leaves; a block stored without becoming the
 * head on the head's child leaves the flat state, canonical and tx indexes untouched until setHead; setHead
 * moves the tx index from the hashes the import stored (hashing only for blocks stored without them); a
 * block whose transactions came through the txpool recovers no sender; the executed-block cache is bounded.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockBuilder, type BuildRequest } from "../../../../node/chain/blockBuilder.ts";
import { Chain, type ChainWorkers } from "../../../../node/chain/chain.ts";
import { DEV_CHAIN_ID } from "../../../../node/chain/chainGenerator.ts";
import { ExecutedBlocks } from "../../../../node/chain/executedBlocks.ts";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import { cachedWorkers, startNodeTxPool } from "../../../../node/cli/txpoolSetup.ts";
import type { Block } from "../../../../node/core/block/block.ts";
import { headerHash } from "../../../../node/core/block/header.ts";
import { encodeBlockReceipts } from "../../../../node/core/block/receipt.ts";
import { equalBytes } from "../../../../node/core/bytes.ts";
import { keccak256 } from "../../../../node/core/hash.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import { SenderCache } from "../../../../node/core/tx/senderCache.ts";
import type { ExecutedBlock } from "../../../../node/core/wire/execute.ts";
import { ChainTxs } from "../../../../node/rpc/eth/txs.ts";
import { StateTrie } from "../../../../node/state/stateTrie.ts";
import type { Storage } from "../../../../node/storage/storage.ts";
import { TrieNodeStore } from "../../../../node/storage/trieNodeStore.ts";
import { ADDRESSES, type DevChain, devTx, dumpFlatState, openDevChain } from "../../../utils/devChain.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const pools = startChainPools();
afterAll(() => pools.close());

/** Every entry of every table, as hex (two datadirs that did the same thing dump the same). */
function dumpAll(storage: Storage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, t] of Object.entries(storage.tables)) {
    out[name] = [];
    for (const { key, value } of t.getRange())
      out[name].push(`${bytesToHex(new Uint8Array(key))} ${bytesToHex(new Uint8Array(value))}`);
  }
  return out;
}

function request(parentHash: Uint8Array, timestamp: bigint, txs: readonly Uint8Array[]): BuildRequest {
  return {
    parentHash,
    timestamp,
    prevRandao: new Uint8Array(32),
    coinbase: new Uint8Array(20).fill(0x11),
    withdrawals: [],
    parentBeaconBlockRoot: new Uint8Array(32),
    transactions: txs,
  };
}

const TXS = [
  devTx(0, 0n, ADDRESSES[1]!, 1000n),
  devTx(1, 0n, ADDRESSES[2]!, 5n, true),
  devTx(0, 1n, ADDRESSES[3]!, 7n),
];

describe("Chain: a locally built block executes once", () => {
  let built: DevChain;
  let verified: DevChain;
  let direct: DevChain;
  let block: Block;
  let hash: Uint8Array;
  beforeAll(async () => {
    [built, verified, direct] = await Promise.all([
      openDevChain(pools),
      openDevChain(pools),
      openDevChain(pools),
    ]);
    const out = await new BlockBuilder(built.chain).build(request(built.chain.head().hash, 12n, TXS), {
      remember: true,
    });
    expect(out.skipped).toEqual([]);
    block = out.block;
    hash = headerHash(block.header);
  });
  afterAll(async () => {
    await Promise.all([built.close(), verified.close(), direct.close()]);
  });

  it("imports the built block without recovering or executing it, and leaves the flat state for setHead", async () => {
    const chain = built.chain;
    expect(chain.work).toMatchObject({ buildExecutions: 1, verifyExecutions: 0, senderLookups: 0 });
    expect(chain.executed.size).toBe(1);
    const flatBefore = dumpFlatState(built.storage);
    const genesis = chain.head();

    const r = await chain.importBlock(block, { makeHead: false });
    expect(r.status).toBe("imported");
    expect(r.gasUsed).toBe(block.header.gasUsed);
    expect(chain.work).toMatchObject({
      buildExecutions: 1,
      verifyExecutions: 0,
      senderLookups: 0,
      executedHits: 1,
    });
    expect(chain.executed.size).toBe(0);

    // Stored, readable, and nothing of the head moved: flat state, head, canonical and tx indexes.
    expect(dumpFlatState(built.storage)).toEqual(flatBefore);
    expect(equalBytes(chain.head().hash, genesis.hash)).toBe(true);
    expect(chain.store.canonicalHash(1n)).toBeUndefined();
    for (const raw of TXS) expect(chain.store.txLocation(keccak256(raw))).toBeUndefined();
    expect(chain.store.block(hash)?.transactions).toHaveLength(3);
    expect(chain.store.receipts(hash)?.map((x) => x.status)).toEqual([1, 1, 1]);
    expect(chain.store.txHashes(hash)?.map(bytesToHex)).toEqual(TXS.map((t) => bytesToHex(keccak256(t))));
  });

  it("leaves the same tables as executing the block (stored then setHead, and imported as the head)", async () => {
    await verified.chain.importBlock(block, { makeHead: false });
    expect(verified.chain.work).toMatchObject({ verifyExecutions: 1, senderLookups: 3, executedHits: 0 });
    // the stored-but-not-head block of both: receipts and state diff identical
    expect(encodeBlockReceipts(built.chain.store.receipts(hash)!)).toEqual(
      encodeBlockReceipts(verified.chain.store.receipts(hash)!),
    );
    expect(built.chain.store.stateDiff(hash)).toEqual(verified.chain.store.stateDiff(hash));

    await direct.chain.importBlock(block);
    for (const d of [built, verified]) {
      expect(d.chain.setHead(hash)).toBe(0);
      expect(d.chain.work.txHashFallbacks).toBe(0);
    }
    const want = dumpAll(direct.storage);
    expect(dumpAll(built.storage)).toEqual(want);
    expect(dumpAll(verified.storage)).toEqual(want);

    // the head state agrees with the built header's state root
    const chain = built.chain;
    expect(equalBytes(chain.head().hash, hash)).toBe(true);
    const trie = await StateTrie.open(TrieNodeStore.forStorage(built.storage), block.header.stateRoot);
    for (const a of ADDRESSES.slice(0, 4)) expect(chain.store.account(a)).toEqual(await trie.getAccount(a));
    TXS.forEach((raw, index) => {
      const loc = chain.store.txLocation(keccak256(raw))!;
      expect(equalBytes(loc.blockHash, hash)).toBe(true);
      expect(loc.index).toBe(index);
    });
  });
});

describe("Chain: the tx index from stored hashes", () => {
  let dev: DevChain;
  beforeAll(async () => {
    dev = await openDevChain(pools);
  });
  afterAll(() => dev.close());

  it("moves the tx index through reorgs without hashing, and hashes a block stored without its hashes", async () => {
    const { chain } = dev;
    const genesis = chain.head().hash;
    const a = await chain.buildBlock([devTx(0, 0n, ADDRESSES[1]!, 1n), devTx(2, 0n, ADDRESSES[1]!, 2n)]);
    await chain.importBlock(a);
    const b = await chain.buildBlock([devTx(0, 0n, ADDRESSES[4]!, 3n)], {
      parentHash: genesis,
      timestamp: 13n,
    });
    await chain.importBlock(b, { makeHead: false });
    const at = (raw: Uint8Array) => {
      const loc = chain.store.txLocation(keccak256(raw));
      return loc === undefined ? undefined : [bytesToHex(loc.blockHash), loc.index];
    };
    const [ha, hb] = [headerHash(a.header), headerHash(b.header)];
    expect(at(a.transactions[1]!)).toEqual([bytesToHex(ha), 1]);
    expect(chain.setHead(hb)).toBe(1);
    expect(at(a.transactions[0]!)).toBeUndefined();
    expect(at(a.transactions[1]!)).toBeUndefined();
    expect(at(b.transactions[0]!)).toEqual([bytesToHex(hb), 0]);
    expect(chain.work.txHashFallbacks).toBe(0);

    // a block of an older datadir: no stored hashes, so fork choice hashes its body (and gets it right)
    dev.storage.env.transactionSync(() => dev.storage.tables.txHashes.removeSync(ha));
    expect(chain.store.txHashes(ha)).toBeUndefined();
    expect(chain.setHead(ha)).toBe(1);
    expect(chain.work.txHashFallbacks).toBe(1);
    expect(at(a.transactions[0]!)).toEqual([bytesToHex(ha), 0]);
    expect(at(a.transactions[1]!)).toEqual([bytesToHex(ha), 1]);
    expect(at(b.transactions[0]!)).toBeUndefined();
    // an empty block stores an empty list, not "unknown"
    const empty = await chain.buildBlock([]);
    await chain.importBlock(empty);
    expect(chain.store.txHashes(headerHash(empty.header))).toEqual([]);
  });
});

describe("Chain: transactions from the txpool", () => {
  it("a block of pool transactions recovers no sender at import", async () => {
    let sent = 0;
    const counting: ChainWorkers = {
      recover: (txs, id) => {
        sent += txs.length;
        return pools.recover(txs, id);
      },
      execute: (task) => pools.execute(task),
    };
    const dir = tempDir("fastevm-execute-once-");
    const [dev, other] = await Promise.all([openDevChain(pools), openDevChain(pools)]);
    const senders = new SenderCache();
    const workers = cachedWorkers(counting, DEV_CHAIN_ID, senders);
    const chain = new Chain(dev.storage, workers);
    const txpool = await startNodeTxPool({
      chain,
      workers: counting,
      senders,
      datadir: join(dir.path, "node"),
      config: {},
      journal: false,
      log: () => {},
    });
    try {
      const results = await txpool.service.submit(TXS);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(sent).toBe(3);
      // built elsewhere (so not executed here): executed to verify it, but its senders come from the pool's
      const block = await other.chain.buildBlock(TXS);
      const hits = senders.hits;
      // the RPC's block transactions, following the chain as `fastevm node` wires them
      const rpcTxs = new ChainTxs(chain.store, workers.recover);
      rpcTxs.follow(chain, (raw) => senders.get(raw));
      await chain.importBlock(block);
      expect(chain.work).toMatchObject({ verifyExecutions: 1, senderLookups: 3 });
      expect(senders.hits - hits).toBe(3);
      expect(sent).toBe(3);
      // once the block is the head the pool is done with its entries: the cache lets them go, and the RPC
      // has its copy of the block (nothing recovered again)
      await txpool.service.settled();
      for (const raw of TXS) expect(senders.get(raw)).toBeUndefined();
      expect(rpcTxs.held).toEqual({ blocks: 1, txs: 3 });
      const got = await rpcTxs.ofBlock(headerHash(block.header));
      expect(got.map((t) => bytesToHex(t.hash))).toEqual(TXS.map((t) => bytesToHex(keccak256(t))));
      expect(sent).toBe(3);
      rpcTxs.close();
      // a recovery without the chain-id rule reads the cache but does not fill it for the pool's admission
      const late = devTx(2, 0n, ADDRESSES[1]!, 1n);
      await workers.recover([late], DEV_CHAIN_ID);
      expect(sent).toBe(4);
      await workers.recover([late], null);
      expect(sent).toBe(4); // a hit
      const other2 = devTx(2, 1n, ADDRESSES[1]!, 1n);
      const size = senders.size;
      await workers.recover([other2], null);
      expect(sent).toBe(5);
      expect(senders.size).toBe(size);
    } finally {
      await txpool.close();
      await Promise.all([dev.close(), other.close()]);
      dir.remove();
    }
  });
});

describe("ExecutedBlocks", () => {
  it("keeps the last `capacity` blocks, dropping the oldest", () => {
    const cache = new ExecutedBlocks(2);
    const entry = { result: {} as ExecutedBlock, txHashes: [] };
    const h = (i: number) => new Uint8Array(32).fill(i);
    for (const i of [1, 2, 3]) cache.add(h(i), entry);
    expect(cache.size).toBe(2);
    expect(cache.dropped).toBe(1);
    expect(cache.get(h(1))).toBeUndefined();
    expect(cache.get(h(3))).toBe(entry);
    cache.delete(h(3));
    expect(cache.get(h(3))).toBeUndefined();
    expect(new ExecutedBlocks(0).size).toBe(0);
  });
});
