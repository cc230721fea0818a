/**
 * The chain's head-change events (txpool, subscriptions): one event per committed head move, with the
 * blocks that left and joined the canonical chain, none for a block stored off the head.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeadChange } from "../../../../node/chain/chain.ts";
import { type ChainPools, startChainPools } from "../../../../node/cli/chainWorkers.ts";
import { headerHash } from "../../../../node/core/block/header.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import { ADDRESSES, type DevChain, devTx, openDevChain } from "../../../utils/devChain.ts";

let pools: ChainPools;
let dev: DevChain;
beforeAll(async () => {
  pools = startChainPools();
  dev = await openDevChain(pools);
});
afterAll(async () => {
  await dev.close();
  await pools.close();
});

const hex = (b: { hash: Uint8Array }) => bytesToHex(b.hash).slice(0, 10);

describe("Chain head-change events", () => {
  it("reports imports, stored-only blocks, forward moves and reorgs", async () => {
    const { chain } = dev;
    const events: HeadChange[] = [];
    const off = chain.onHeadChange((c) => events.push(c));
    const genesis = chain.head();

    // an import that becomes the head: one event, the block added
    const a1 = await chain.buildBlock([devTx(0, 0n, ADDRESSES[1]!, 1n)], { timestamp: 12n });
    await chain.importBlock(a1);
    expect(events).toHaveLength(1);
    expect(events[0]!.added.map(hex)).toEqual([hex({ hash: headerHash(a1.header) })]);
    expect(events[0]!.removed).toEqual([]);

    // a side block stored without moving the head: no event
    const b1 = await chain.buildBlock([devTx(0, 0n, ADDRESSES[2]!, 2n)], {
      timestamp: 13n,
      parentHash: genesis.hash,
    });
    await chain.importBlock(b1, { makeHead: false });
    expect(events).toHaveLength(1);

    // setHead to the side block: a reorg, a1 removed, b1 added
    chain.setHead(headerHash(b1.header));
    expect(events).toHaveLength(2);
    expect(events[1]!.removed.map(hex)).toEqual([hex({ hash: headerHash(a1.header) })]);
    expect(events[1]!.added.map(hex)).toEqual([hex({ hash: headerHash(b1.header) })]);
    expect(bytesToHex(events[1]!.head.hash)).toBe(bytesToHex(headerHash(b1.header)));

    // setHead to the head: nothing moved, no event; back to genesis: b1 removed, nothing added
    chain.setHead(headerHash(b1.header));
    expect(events).toHaveLength(2);
    chain.setHead(genesis.hash);
    expect(events[2]!.removed.map(hex)).toEqual([hex({ hash: headerHash(b1.header) })]);
    expect(events[2]!.added).toEqual([]);

    // a listener that throws does not stop the others or the move
    chain.onHeadChange(() => {
      throw new Error("listener failure");
    });
    chain.setHead(headerHash(a1.header));
    expect(events).toHaveLength(4);
    expect(bytesToHex(chain.head().hash)).toBe(bytesToHex(headerHash(a1.header)));
    off();
    chain.setHead(genesis.hash);
    expect(events).toHaveLength(4);
  });
});
