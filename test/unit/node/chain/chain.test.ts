/**
 * The chain on a real datadir and real pools: committed blocks are readable with receipts, tx index and flat
 * state that agrees with the trie; an invalid block throws its specific reason and changes no table; a known
 * block is a no-op; side branches reorg the flat state, canonical and tx indexes, within the depth limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRANSFER_TOPIC } from "../../../../node/chain/devToken.ts";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import type { Block } from "../../../../node/core/block/block.ts";
import { type BlockHeader, headerHash } from "../../../../node/core/block/header.ts";
import { equalBytes } from "../../../../node/core/bytes.ts";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { keccak256 } from "../../../../node/core/hash.ts";
import { StateTrie } from "../../../../node/state/stateTrie.ts";
import { TrieNodeStore } from "../../../../node/storage/trieNodeStore.ts";
import {
  ADDRESSES,
  type DevChain,
  devTx,
  dumpFlatState,
  openDevChain,
  tableCounts,
} from "../../../utils/devChain.ts";

const pools = startChainPools();
afterAll(() => pools.close());

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (!isFastEvmError(e)) throw e;
    return e.code;
  }
}

function withHeader(b: Block, patch: Partial<BlockHeader>): Block {
  return { ...b, header: { ...b.header, ...patch } as BlockHeader };
}

describe("Chain: import and store", () => {
  let dev: DevChain;
  beforeAll(async () => {
    dev = await openDevChain(pools);
  });
  afterAll(() => dev.close());

  it("commits blocks with receipts, tx index and a flat state that matches the trie", async () => {
    const { chain } = dev;
    const txs = [
      devTx(0, 0n, ADDRESSES[1]!, 1000n),
      devTx(1, 0n, ADDRESSES[2]!, 5n, true),
      devTx(0, 1n, ADDRESSES[3]!, 7n),
    ];
    const block = await chain.buildBlock(txs);
    const r = await chain.importBlock(block);
    expect(r.status).toBe("imported");
    const hash = headerHash(block.header);
    expect(equalBytes(chain.head().hash, hash)).toBe(true);
    const receipts = chain.store.receipts(hash)!;
    expect(receipts.map((x) => x.status)).toEqual([1, 1, 1]);
    expect(receipts[1]!.logs).toHaveLength(1);
    expect(equalBytes(receipts[1]!.logs[0]!.topics[0]!, TRANSFER_TOPIC)).toBe(true);
    expect(receipts[2]!.cumulativeGasUsed).toBe(block.header.gasUsed);
    txs.forEach((raw, index) => {
      const loc = chain.store.txLocation(keccak256(raw))!;
      expect(equalBytes(loc.blockHash, hash)).toBe(true);
      expect(loc.index).toBe(index);
    });
    expect(equalBytes(chain.store.canonicalHash(1n)!, hash)).toBe(true);
    const trie = await StateTrie.open(TrieNodeStore.forStorage(dev.storage), block.header.stateRoot);
    for (const a of ADDRESSES.slice(0, 4)) expect(chain.store.account(a)).toEqual(await trie.getAccount(a));
    expect(chain.store.account(ADDRESSES[3]!)!.balance).toBe(10n ** 24n + 7n);
  });

  it("treats an already stored block as a no-op", async () => {
    const head = dev.chain.head();
    const block = dev.chain.store.block(head.hash)!;
    const before = tableCounts(dev.storage);
    expect((await dev.chain.importBlock(block)).status).toBe("known");
    expect(tableCounts(dev.storage)).toEqual(before);
  });

  it("rejects bad blocks with a specific reason and changes nothing", async () => {
    const { chain, storage } = dev;
    const good = await chain.buildBlock([devTx(2, 0n, ADDRESSES[4]!, 1n, true)]);
    const before = tableCounts(storage);
    const flat = dumpFlatState(storage);
    const head = chain.head().hash;
    const cases: [Block, string][] = [
      [withHeader(good, { stateRoot: keccak256(new Uint8Array([1])) }), "BLOCK_STATE_ROOT"],
      [withHeader(good, { receiptsRoot: keccak256(new Uint8Array([2])) }), "BLOCK_RECEIPTS_ROOT"],
      [withHeader(good, { gasUsed: good.header.gasUsed + 1n }), "BLOCK_GAS_USED_MISMATCH"],
      [withHeader(good, { logsBloom: new Uint8Array(256) }), "BLOCK_LOGS_BLOOM"],
      [withHeader(good, { transactionsRoot: keccak256(new Uint8Array([3])) }), "BLOCK_TRANSACTIONS_ROOT"],
      [withHeader(good, { parentHash: keccak256(new Uint8Array([4])) }), "BLOCK_UNKNOWN_PARENT"],
      [withHeader(good, { timestamp: chain.head().header.timestamp }), "BLOCK_TIMESTAMP"],
      [
        { ...good, withdrawals: [{ index: 0n, validatorIndex: 0n, address: ADDRESSES[0]!, amount: 1n }] },
        "BLOCK_WITHDRAWALS_ROOT",
      ],
    ];
    for (const [block, code] of cases) expect(await codeOf(chain.importBlock(block))).toBe(code);
    // a transaction with a wrong nonce makes the whole block invalid
    expect(await codeOf(chain.buildBlock([devTx(2, 5n, ADDRESSES[4]!, 1n)]))).toBe("BLOCK_INVALID_TX");
    expect(tableCounts(storage)).toEqual(before);
    expect(dumpFlatState(storage)).toEqual(flat);
    expect(equalBytes(chain.head().hash, head)).toBe(true);
    expect((await chain.importBlock(good)).status).toBe("imported");
  });

  it("credits withdrawals in Gwei", async () => {
    const { chain } = dev;
    const target = ADDRESSES[7]!;
    const before = chain.store.account(target)!.balance;
    const block = await chain.buildBlock([], {
      withdrawals: [{ index: 0n, validatorIndex: 1n, address: target, amount: 3n }],
    });
    await chain.importBlock(block);
    expect(chain.store.account(target)!.balance).toBe(before + 3n * 10n ** 9n);
  });
});

describe("Chain: reorgs", () => {
  it("switches to a side branch and back; flat state, canonical and tx indexes follow", async () => {
    const dev = await openDevChain(pools);
    const { chain } = dev;
    const fork = chain.head().hash;
    const a: Block[] = [];
    for (let i = 0; i < 3; i++) {
      const b = await chain.buildBlock([
        devTx(0, BigInt(i), ADDRESSES[5]!, 100n),
        devTx(1, BigInt(i), ADDRESSES[6]!, 9n, true),
      ]);
      await chain.importBlock(b);
      a.push(b);
    }
    const bTx = devTx(0, 0n, ADDRESSES[6]!, 555n);
    const b1 = await chain.buildBlock([bTx, devTx(3, 0n, ADDRESSES[5]!, 1n, true)], {
      parentHash: fork,
      timestamp: 5n,
    });
    const r = await chain.importBlock(b1);
    expect(r.reorgDepth).toBe(3);
    expect(equalBytes(chain.head().hash, headerHash(b1.header))).toBe(true);
    expect(chain.store.canonicalHash(2n)).toBeUndefined();
    expect(equalBytes(chain.store.txLocation(keccak256(bTx))!.blockHash, headerHash(b1.header))).toBe(true);
    expect(chain.store.txLocation(keccak256(a[0]!.transactions[0]!))).toBeUndefined();

    // the same state as a datadir that only ever saw B1
    const fresh = await openDevChain(pools);
    await fresh.chain.importBlock(b1);
    expect(dumpFlatState(dev.storage)).toEqual(dumpFlatState(fresh.storage));

    // back to A, one block longer, built on A3 while B1 is the head
    const a4 = await chain.buildBlock([devTx(0, 3n, ADDRESSES[5]!, 1n)], {
      parentHash: headerHash(a[2]!.header),
    });
    expect((await chain.importBlock(a4)).reorgDepth).toBe(1);
    const freshA = await openDevChain(pools);
    for (const b of [...a, a4]) await freshA.chain.importBlock(b);
    expect(dumpFlatState(dev.storage)).toEqual(dumpFlatState(freshA.storage));
    expect(chain.store.txLocation(keccak256(bTx))).toBeUndefined();
    expect(equalBytes(chain.store.canonicalHash(2n)!, headerHash(a[1]!.header))).toBe(true);
    // fork choice without importing: B1 again, then back to A4, then to genesis (pure rewinds)
    expect(chain.setHead(headerHash(b1.header))).toBe(4);
    expect(dumpFlatState(dev.storage)).toEqual(dumpFlatState(fresh.storage));
    expect(chain.setHead(headerHash(a4.header))).toBe(1);
    expect(dumpFlatState(dev.storage)).toEqual(dumpFlatState(freshA.storage));
    expect(chain.setHead(fork)).toBe(4);
    expect(chain.store.canonicalHash(1n)).toBeUndefined();
    expect(chain.store.txLocation(keccak256(a4.transactions[0]!))).toBeUndefined();
    const genesisOnly = await openDevChain(pools);
    expect(dumpFlatState(dev.storage)).toEqual(dumpFlatState(genesisOnly.storage));
    await Promise.all([dev.close(), fresh.close(), freshA.close(), genesisOnly.close()]);
  });

  it("stores blocks without moving the head (makeHead: false), then setHead with safe and finalized", async () => {
    const dev = await openDevChain(pools);
    const { chain, storage } = dev;
    const genesis = chain.head().hash;
    const flat = dumpFlatState(storage);
    const a1 = await chain.buildBlock([
      devTx(0, 0n, ADDRESSES[5]!, 10n),
      devTx(1, 0n, ADDRESSES[6]!, 3n, true),
    ]);
    expect((await chain.importBlock(a1, { makeHead: false })).status).toBe("imported");
    const a2 = await chain.buildBlock([devTx(0, 1n, ADDRESSES[5]!, 1n)], {
      parentHash: headerHash(a1.header),
    });
    await chain.importBlock(a2, { makeHead: false });
    // stored and executed, but head, flat state and indexes are untouched
    expect(equalBytes(chain.head().hash, genesis)).toBe(true);
    expect(dumpFlatState(storage)).toEqual(flat);
    expect(chain.store.canonicalHash(1n)).toBeUndefined();
    expect(chain.store.txLocation(keccak256(a1.transactions[0]!))).toBeUndefined();
    expect(chain.store.receipts(headerHash(a2.header))).toHaveLength(1);
    expect(chain.setHead(headerHash(a2.header), { safe: headerHash(a1.header), finalized: genesis })).toBe(0);
    const fresh = await openDevChain(pools);
    for (const b of [a1, a2]) await fresh.chain.importBlock(b);
    expect(dumpFlatState(storage)).toEqual(dumpFlatState(fresh.storage));
    expect(equalBytes(chain.store.meta("safe_hash")!, headerHash(a1.header))).toBe(true);
    expect(equalBytes(chain.store.meta("finalized_hash")!, genesis)).toBe(true);
    expect(
      equalBytes(chain.store.txLocation(keccak256(a1.transactions[1]!))!.blockHash, headerHash(a1.header)),
    ).toBe(true);
    await Promise.all([dev.close(), fresh.close()]);
  });

  it("refuses a reorg deeper than the limit", async () => {
    const dev = await openDevChain(pools, { maxReorgDepth: 1 });
    const fork = dev.chain.head().hash;
    for (let i = 0; i < 2; i++)
      await dev.chain.importBlock(await dev.chain.buildBlock([devTx(0, BigInt(i), ADDRESSES[5]!, 1n)]));
    const side = await dev.chain.buildBlock([], { parentHash: fork, timestamp: 3n }).catch((e: unknown) => e);
    expect(isFastEvmError(side, "BLOCK_REORG_TOO_DEEP")).toBe(true);
    await dev.close();
  });
});
