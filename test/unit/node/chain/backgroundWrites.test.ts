/**
 * The engine's calls write nothing to LMDB; the chain's background writer does, in order (node/chain/chain.ts):
 * - newPayloadV3 of a locally built block and the forkchoiceUpdatedV3 onto it make no LMDB write transaction;
 *   the canonical head moves in memory while LMDB's head trails it, and the writer then stores the block and
 *   the head move as ONE transaction, ending with a datadir identical to the synchronous path's;
 * - a block built on a head that is not persisted yet executes against its parent's state (the build waits
 *   for the queued writes), and its state root is the one a fresh verifying chain computes;
 * - with `memoryBlockBuffer: 0` every call waits for its write (backpressure);
 * - blocks accepted but not written are not in LMDB: a crash there loses them, and a node reopened on the
 *   datadir resumes at the persisted head (reliability matrix rows 1 and 4: a kill between a block's
 *   acceptance and its write leaves the datadir at a whole earlier block, never half-written).
 */
import { afterAll, describe, expect, it } from "vitest";
import { Chain } from "../../../../node/chain/chain.ts";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import { headerHash } from "../../../../node/core/block/header.ts";
import { bytesToHex, hexToBytes } from "../../../../node/core/hex.ts";
import { ADDRESSES, devTx, dumpFlatState, openDevChain } from "../../../utils/devChain.ts";
import {
  attrsV3,
  closePayloadPool,
  type EngineHarness,
  fcState,
  type Json,
  openEngine,
  ZERO32,
} from "../../../utils/engineHarness.ts";

const pools = startChainPools();
afterAll(async () => {
  await pools.close();
  await closePayloadPool();
});

const TXS = [devTx(0, 0n, ADDRESSES[1]!, 1000n), devTx(1, 0n, ADDRESSES[2]!, 5n, true)].map(bytesToHex);

/** The engine's answer, with no wait for the chain's writer (the harness's `ok` waits). */
async function answer(h: EngineHarness, method: string, params: unknown[]): Promise<Json> {
  const r = await h.call(method, params);
  if (r.error !== undefined) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.result;
}

/** forkchoiceUpdated with attributes + getPayload, without waiting for the writer. */
async function build(h: EngineHarness, parent: string, timestamp: number, extra = {}): Promise<Json> {
  const fcu = await answer(h, "engine_forkchoiceUpdatedV3", [fcState(parent), attrsV3(timestamp, extra)]);
  return (await answer(h, "engine_getPayloadV3", [fcu.payloadId])).executionPayload;
}

describe("chain: the engine's writes in the background", () => {
  it("newPayload and forkchoiceUpdated write nothing; the writer stores block and head in one transaction", async () => {
    const h = await openEngine(pools);
    try {
      const chain = h.dev.chain;
      const genesis = h.headHash();
      const p = await build(h, genesis, 12, { transactions: TXS, noTxPool: true });
      await chain.persisted();
      const writes = chain.work.writeTxns;
      const flat = dumpFlatState(h.dev.storage);

      const st = await answer(h, "engine_newPayloadV3", [p, [], ZERO32]);
      expect(st.status).toBe("VALID");
      const fcu = await answer(h, "engine_forkchoiceUpdatedV3", [fcState(p.blockHash)]);
      expect(fcu.payloadStatus.status).toBe("VALID");
      // both answered with nothing written: the head moved in memory only
      expect(chain.work.writeTxns).toBe(writes);
      expect(bytesToHex(chain.head().hash)).toBe(p.blockHash);
      expect(chain.hasBlock(hexToBytes(p.blockHash))).toBe(true);
      expect(chain.store.hasBlock(hexToBytes(p.blockHash))).toBe(false);
      expect(bytesToHex(chain.store.head().hash)).toBe(genesis);
      expect(dumpFlatState(h.dev.storage)).toEqual(flat);
      expect(chain.unpersisted).toBe(2);

      await chain.persisted();
      expect(chain.work.writeTxns).toBe(writes + 1); // block + head move merged
      expect(chain.unpersisted).toBe(0);
      expect(bytesToHex(chain.store.head().hash)).toBe(p.blockHash);
      expect(chain.store.receipts(hexToBytes(p.blockHash))).toHaveLength(2);

      // the same block through the synchronous path gives the same datadir
      const sync = await openDevChain(pools);
      try {
        const block = chain.store.block(hexToBytes(p.blockHash))!;
        await sync.chain.importBlock(block);
        expect(dumpFlatState(sync.storage)).toEqual(dumpFlatState(h.dev.storage));
        for (const table of ["headers", "bodies", "receipts", "stateDiffs", "txHashes"] as const) {
          const key = hexToBytes(p.blockHash);
          expect(sync.storage.tables[table].get(key)).toEqual(h.dev.storage.tables[table].get(key));
        }
      } finally {
        await sync.close();
      }
    } finally {
      await h.close();
    }
  });

  it("a build on an unpersisted head sees its parent's state; a verifying chain agrees on every root", async () => {
    const h = await openEngine(pools);
    const verifier = await openDevChain(pools);
    try {
      const chain = h.dev.chain;
      let parent = h.headHash();
      const blocks: string[] = [];
      for (let i = 0; i < 4; i++) {
        // nonce i of sender 0: each block depends on the previous block's state
        const txs = [devTx(0, BigInt(i), ADDRESSES[3]!, 7n)].map(bytesToHex);
        const p = await build(h, parent, 12 * (i + 1), { transactions: txs, noTxPool: true });
        expect(p.transactions).toHaveLength(1);
        expect((await answer(h, "engine_newPayloadV3", [p, [], ZERO32])).status).toBe("VALID");
        await answer(h, "engine_forkchoiceUpdatedV3", [fcState(p.blockHash)]);
        parent = p.blockHash;
        blocks.push(p.blockHash);
      }
      expect(chain.work.verifyExecutions).toBe(0);
      await chain.persisted();
      for (const hash of blocks) {
        const r = await verifier.chain.importBlock(chain.store.block(hexToBytes(hash))!);
        expect(r.status).toBe("imported");
      }
      expect(bytesToHex(verifier.chain.head().hash)).toBe(parent);
      expect(dumpFlatState(verifier.storage)).toEqual(dumpFlatState(h.dev.storage));
    } finally {
      await verifier.close();
      await h.close();
    }
  });

  it("a block on an unpersisted parent executes on the live view while the writer persists the parent", async () => {
    // the blocks, built on a chain of their own (ETH and token transfers: accounts, storage, the trie)
    const builder = await openDevChain(pools);
    const blocks = [];
    try {
      for (let i = 0; i < 3; i++) {
        const b = await builder.chain.buildBlock([
          devTx(0, BigInt(i), ADDRESSES[4]!, 11n),
          devTx(1, BigInt(i), ADDRESSES[5]!, 3n, true),
          devTx(2 + i, 0n, ADDRESSES[0]!, 1n),
        ]);
        await builder.chain.importBlock(b);
        blocks.push(b);
      }
      const h = await openEngine(pools);
      const chain = h.dev.chain;
      // accepted and made head with no await in between: each parent is still unpersisted when its child
      // arrives, and the child's state root is checked against the live view
      for (const b of blocks) {
        await chain.acceptBlock(b);
        expect(chain.store.hasBlock(headerHash(b.header))).toBe(false);
        await chain.forkchoice(headerHash(b.header));
      }
      expect(chain.work.verifyExecutions).toBe(3);
      expect(chain.work.liveExecutions).toBe(2);
      await chain.persisted();
      expect(bytesToHex(chain.store.head().hash)).toBe(bytesToHex(headerHash(blocks[2]!.header)));
      expect(dumpFlatState(chain.storage)).toEqual(dumpFlatState(builder.storage));
      await h.close();
    } finally {
      await builder.close();
    }
  });

  it("a failed background write is reported once, and the chain then refuses the engine's calls", async () => {
    const errors: { code: string }[] = [];
    const dev = await openDevChain(pools, { onWriteError: (e) => errors.push(e) });
    const block = await dev.chain.buildBlock([devTx(0, 0n, ADDRESSES[1]!, 5n)]);
    await dev.chain.acceptBlock(block);
    // the database goes away before the writer runs (as on an I/O error): the write fails
    await dev.storage.close();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(errors.map((e) => e.code)).toEqual(["STORAGE"]);
    await expect(dev.chain.forkchoice(headerHash(block.header))).rejects.toMatchObject({ code: "STORAGE" });
    await expect(dev.chain.acceptBlock(block)).rejects.toMatchObject({ code: "STORAGE" });
    await expect(dev.chain.persisted()).rejects.toMatchObject({ code: "STORAGE" });
    expect(errors).toHaveLength(1);
    await dev.close().catch(() => {});
  });

  it("memoryBlockBuffer 0: every call waits for its write", async () => {
    const h = await openEngine(pools, undefined, { memoryBlockBuffer: 0 });
    try {
      const chain = h.dev.chain;
      const p = await build(h, h.headHash(), 12, { transactions: TXS, noTxPool: true });
      const writes = chain.work.writeTxns;
      await answer(h, "engine_newPayloadV3", [p, [], ZERO32]);
      expect(chain.unpersisted).toBe(0);
      expect(chain.work.writeTxns).toBe(writes + 1);
      expect(chain.store.hasBlock(hexToBytes(p.blockHash))).toBe(true);
      await answer(h, "engine_forkchoiceUpdatedV3", [fcState(p.blockHash)]);
      expect(chain.work.writeTxns).toBe(writes + 2);
      expect(bytesToHex(chain.store.head().hash)).toBe(p.blockHash);
    } finally {
      await h.close();
    }
  });

  it("accepted but unwritten blocks are not in LMDB: a chain reopened there resumes at the persisted head", async () => {
    const h = await openEngine(pools);
    try {
      const chain = h.dev.chain;
      const genesis = h.headHash();
      const p = await build(h, genesis, 12, { transactions: TXS, noTxPool: true });
      await chain.persisted();
      await answer(h, "engine_newPayloadV3", [p, [], ZERO32]);
      await answer(h, "engine_forkchoiceUpdatedV3", [fcState(p.blockHash)]);
      // what a process killed now leaves: a second chain over the same LMDB environment
      const reopened = new Chain(h.dev.storage, pools);
      expect(bytesToHex(reopened.head().hash)).toBe(genesis);
      expect(reopened.hasBlock(hexToBytes(p.blockHash))).toBe(false);
      expect(headerHash(reopened.head().header)).toEqual(hexToBytes(genesis));
    } finally {
      await h.close();
    }
  });
});
