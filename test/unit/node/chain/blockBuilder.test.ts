/**
 * The one block builder, on a real dev chain and real pools: `Chain.buildBlock` and a skipping build (the
 * payload builder's mode) make the identical block from the same request; a skipping build leaves out each
 * invalid transaction (undecodable, duplicate, nonce gap) with its index and code in one execution, and the
 * built block imports as valid; the throwing mode names the first invalid one; `remember` is what lets the
 * import execute nothing; transactions whose senders are cached (the txpool's) reach no recover pool.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockBuilder, type BuildRequest, type SkippedTx } from "../../../../node/chain/blockBuilder.ts";
import { Chain, type ChainWorkers } from "../../../../node/chain/chain.ts";
import { DEV_CHAIN_ID } from "../../../../node/chain/chainGenerator.ts";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import { cachedWorkers } from "../../../../node/cli/txpoolSetup.ts";
import { headerHash } from "../../../../node/core/block/header.ts";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { keccak256 } from "../../../../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../../../../node/core/hex.ts";
import { SenderCache } from "../../../../node/core/tx/senderCache.ts";
import { ADDRESSES, type DevChain, devTx, openDevChain } from "../../../utils/devChain.ts";

const pools = startChainPools();
let dev: DevChain;
beforeAll(async () => {
  dev = await openDevChain(pools);
});
afterAll(async () => {
  await dev.close();
  await pools.close();
});

function request(chain: Chain, transactions: readonly Uint8Array[]): BuildRequest {
  const head = chain.head();
  return {
    parentHash: head.hash,
    timestamp: head.header.timestamp + 12n,
    coinbase: new Uint8Array(20),
    prevRandao: new Uint8Array(32),
    withdrawals: [],
    parentBeaconBlockRoot: new Uint8Array(32),
    transactions,
  };
}

const good = [devTx(0, 0n, ADDRESSES[1]!, 10n), devTx(1, 0n, ADDRESSES[2]!, 20n, true)];

describe("BlockBuilder", () => {
  it("builds the same block as Chain.buildBlock from the same transactions", async () => {
    const { chain } = dev;
    const viaChain = await chain.buildBlock(good);
    const built = await new BlockBuilder(chain).build(request(chain, good));
    expect(built.skipped).toEqual([]);
    expect(bytesToHex(headerHash(built.block.header))).toBe(bytesToHex(headerHash(viaChain.header)));
    expect(built.txHashes.map(bytesToHex)).toEqual(good.map((t) => bytesToHex(keccak256(t))));
    // two transfers at a 1 gwei tip over a base fee the dev transactions cover
    expect(built.blockValue).toBe(built.block.header.gasUsed * 1_000_000_000n);
  });

  it("skips invalid transactions with their index and code in one execution, and the block imports", async () => {
    const { chain } = dev;
    const before = chain.work.buildExecutions;
    const reported: SkippedTx[] = [];
    const txs = [
      good[0]!,
      good[0]!, // duplicate
      hexToBytes("0x02c0"), // undecodable
      devTx(2, 5n, ADDRESSES[3]!, 1n), // nonce gap
      good[1]!,
    ];
    const built = await new BlockBuilder(chain).build(request(chain, txs), {
      onSkip: (s) => reported.push(s),
    });
    expect(chain.work.buildExecutions).toBe(before + 1);
    expect(built.skipped).toEqual(reported);
    expect(built.skipped.map((s) => [s.index, s.code])).toEqual([
      [1, "TX_NONCE_TOO_LOW"],
      [2, "TX_FIELD_COUNT"],
      [3, "TX_NONCE_TOO_HIGH"],
    ]);
    expect(built.skipped[0]!.hash).toBe(bytesToHex(keccak256(good[0]!)));
    expect(built.skipped[1]!.hash).toBeNull();
    expect(built.block.transactions.map(bytesToHex)).toEqual([good[0]!, good[1]!].map(bytesToHex));
    // not remembered: the import executes it to verify it, and agrees with the built header
    expect(chain.executed.size).toBe(0);
    const verify = chain.work.verifyExecutions;
    expect((await chain.importBlock(built.block)).status).toBe("imported");
    expect(chain.work.verifyExecutions).toBe(verify + 1);
  });

  it("throws BLOCK_INVALID_TX naming the first invalid transaction when every one must be included", async () => {
    const { chain } = dev;
    const bad = [devTx(3, 0n, ADDRESSES[1]!, 1n), devTx(3, 7n, ADDRESSES[1]!, 1n)];
    const e = await new BlockBuilder(chain).build(request(chain, bad), { invalid: "throw" }).catch((x) => x);
    expect(isFastEvmError(e, "BLOCK_INVALID_TX")).toBe(true);
    expect(e.meta).toMatchObject({ index: 1, cause: "TX_NONCE_TOO_HIGH" });
    expect(await chain.buildBlock(bad).catch((x) => x.code)).toBe("BLOCK_INVALID_TX");
  });

  it("remembers the execution when asked: the import executes and recovers nothing", async () => {
    const { chain } = dev;
    const txs = [devTx(4, 0n, ADDRESSES[5]!, 3n)];
    const built = await new BlockBuilder(chain).build(request(chain, txs), { remember: true });
    expect(chain.executed.get(headerHash(built.block.header))).toBeDefined();
    const work = { ...chain.work };
    await chain.importBlock(built.block);
    expect(chain.work).toMatchObject({
      verifyExecutions: work.verifyExecutions,
      senderLookups: work.senderLookups,
      executedHits: work.executedHits + 1,
    });
  });

  it("refuses an unknown parent with BLOCK_UNKNOWN_PARENT", async () => {
    const req = { ...request(dev.chain, []), parentHash: new Uint8Array(32).fill(9) };
    const e = await new BlockBuilder(dev.chain).build(req).catch((x) => x);
    expect(isFastEvmError(e, "BLOCK_UNKNOWN_PARENT")).toBe(true);
  });

  it("recovers senders through the sender cache: pool transactions reach no recover pool", async () => {
    let sent = 0;
    const counting: ChainWorkers = {
      recover: (txs, id) => {
        sent += txs.length;
        return pools.recover(txs, id);
      },
      execute: (task) => pools.execute(task),
    };
    const senders = new SenderCache();
    const chain = new Chain(dev.storage, cachedWorkers(counting, DEV_CHAIN_ID, senders));
    const txs = [devTx(5, 0n, ADDRESSES[6]!, 1n), devTx(6, 0n, ADDRESSES[7]!, 2n)];
    // what txpool admission does: recover once, through the cache
    await senders.recover(txs, (miss) => counting.recover(miss, DEV_CHAIN_ID));
    expect(sent).toBe(2);
    const built = await new BlockBuilder(chain).build(request(chain, txs));
    expect(built.block.transactions).toHaveLength(2);
    expect(sent).toBe(2);
  });
});
