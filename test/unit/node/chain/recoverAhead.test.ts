/**
 * `Chain.recoverAhead`, on real pools and LMDB: block N+1's senders recover while N imports, the import takes
 * that recovery (each transaction recovered once, counted in `work.recoveredAhead`), ends on the same head
 * and state as one block at a time, reports an invalid transaction with the same code, holds at most
 * RECOVER_AHEAD_BLOCKS recoveries (the oldest dropped and recovered again by its import), ignores a block
 * it already holds or one already stored, and never hands one body's recovery to another body under the
 * same header.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain, RECOVER_AHEAD_BLOCKS } from "../../../../node/chain/chain.ts";
import { type GeneratedChain, generateChain } from "../../../../node/chain/chainGenerator.ts";
import { startChainPools } from "../../../../node/cli/chainWorkers.ts";
import type { Block } from "../../../../node/core/block/block.ts";
import { parseGenesisText } from "../../../../node/core/chain/genesisJson.ts";
import { ErrorCode } from "../../../../node/core/errors.ts";
import { writeGenesis } from "../../../../node/state/genesis.ts";
import { openStorage } from "../../../../node/storage/storage.ts";
import { dumpFlatState } from "../../../utils/devChain.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const pools = startChainPools();
afterAll(() => pools.close());

const BLOCKS = 7;
const TXS = 6;
let gen: GeneratedChain;
beforeAll(async () => {
  gen = await generateChain({ blocks: BLOCKS, txsPerBlock: TXS, kind: "mixed", seed: 7, senders: 8 }, pools);
});

async function withChain<T>(run: (chain: Chain, flat: () => string[]) => Promise<T>): Promise<T> {
  const dir = tempDir();
  const storage = openStorage(join(dir.path, "datadir"), { noSync: true });
  try {
    await writeGenesis(storage, parseGenesisText(gen.genesisJson));
    return await run(new Chain(storage, pools), () => dumpFlatState(storage));
  } finally {
    await storage.close();
    dir.remove();
  }
}

describe("Chain.recoverAhead", () => {
  it("recovers block N+1 while N imports: each transaction once, the same head and state as serial", async () => {
    const serial = await withChain(async (chain, flat) => {
      for (const b of gen.blocks) await chain.importBlock(b);
      expect(chain.work.recoveredAhead).toBe(0);
      return { head: chain.head().hash, flat: flat() };
    });
    await withChain(async (chain, flat) => {
      for (const [i, b] of gen.blocks.entries()) {
        const next = gen.blocks[i + 1];
        if (next !== undefined) {
          chain.recoverAhead(next);
          chain.recoverAhead(next); // started once
        }
        chain.recoverAhead(b); // already running (or, for the first, started now)
        await chain.importBlock(b);
      }
      expect(chain.work.recoveredAhead).toBe(BLOCKS);
      expect(chain.work.senderLookups).toBe(BLOCKS * TXS);
      expect(chain.work.verifyExecutions).toBe(BLOCKS);
      expect(chain.head().hash).toEqual(serial.head);
      expect(flat()).toEqual(serial.flat);
      // a stored block is left alone
      chain.recoverAhead(gen.blocks[0]!);
      expect(chain.work.senderLookups).toBe(BLOCKS * TXS);
    });
  });

  it(`holds at most ${RECOVER_AHEAD_BLOCKS} recoveries: the oldest is dropped and recovered by its import`, async () => {
    await withChain(async (chain) => {
      for (const b of gen.blocks) chain.recoverAhead(b);
      expect(chain.work.senderLookups).toBe(BLOCKS * TXS);
      for (const b of gen.blocks) await chain.importBlock(b);
      const dropped = BLOCKS - RECOVER_AHEAD_BLOCKS;
      expect(chain.work.recoveredAhead).toBe(RECOVER_AHEAD_BLOCKS);
      expect(chain.work.senderLookups).toBe((BLOCKS + dropped) * TXS);
      expect(chain.head().header.number).toBe(BigInt(BLOCKS));
    });
  });

  it("an invalid transaction fails the import with BLOCK_INVALID_TX, as without it, and the chain goes on", async () => {
    const first = gen.blocks[0]!;
    const bad: Block = {
      ...first,
      transactions: [first.transactions[0]!, Uint8Array.of(0x02, 0xc0), ...first.transactions.slice(2)],
    };
    for (const ahead of [false, true]) {
      await withChain(async (chain) => {
        if (ahead) chain.recoverAhead(bad);
        await expect(chain.importBlock(bad)).rejects.toMatchObject({
          code: ErrorCode.BLOCK_INVALID_TX,
          meta: { index: 1 },
        });
        expect(chain.work.recoveredAhead).toBe(ahead ? 1 : 0);
        // a failed recovery left behind is never awaited (no unhandled rejection), and it is not taken by
        // the good block under the same header: the recovery belongs to the transactions it was given
        chain.recoverAhead(bad);
        for (const b of gen.blocks.slice(0, 2)) await chain.importBlock(b);
        expect(chain.head().header.number).toBe(2n);
      });
    }
  });
});
