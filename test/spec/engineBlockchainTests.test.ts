/**
 * Every Cancun BlockchainTests chain replayed through the Engine API instead of block import: each block as
 * engine_newPayloadV3 (its payload form, the blob versioned hashes of its transactions, its beacon root),
 * then engine_forkchoiceUpdatedV3 to it when VALID. ValidBlocks cases must end on the fixture's
 * `lastblockhash` (what `fastevm blocktest` reaches by import); every block a fixture marks invalid must be
 * refused — INVALID, SYNCING for an unknown parent, or a -32602 structure error when the block has no
 * well-formed payload form — and never answered VALID.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURE_MAX_REORG_DEPTH, writeFixtureGenesis } from "../../node/chain/blockTest.ts";
import { Chain } from "../../node/chain/chain.ts";
import { startChainPools } from "../../node/cli/chainWorkers.ts";
import { type Block, decodeBlock } from "../../node/core/block/block.ts";
import { headerHash } from "../../node/core/block/header.ts";
import { blockToPayload } from "../../node/core/block/payload.ts";
import { bytesToHex, looseHexToBytes } from "../../node/core/hex.ts";
import { decodeTransaction } from "../../node/core/tx/decode.ts";
import { PayloadPool } from "../../node/pool/payloadPool.ts";
import { engineMethods } from "../../node/rpc/engine/engineApi.ts";
import { EngineState } from "../../node/rpc/engine/engineState.ts";
import { PayloadBuilder } from "../../node/rpc/engine/payloadBuilder.ts";
import { createRpcContext } from "../../node/rpc/eth/context.ts";
import { publicMethods } from "../../node/rpc/eth/methods.ts";
import { JsonRpcDispatcher } from "../../node/rpc/jsonrpc.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { loadBlockchainTests } from "../utils/blockFixtures.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const payloadPool = new PayloadPool();
const MIN_VALID_CASES = 399;
const MIN_INVALID_BLOCKS = 209;
const Z = `0x${"00".repeat(32)}`;

interface CaseJson {
  genesisRLP: string;
  pre: Record<string, unknown>;
  blocks: { rlp: string; expectException?: string }[];
  lastblockhash: string;
}

type Answer = { result?: { status?: string; payloadStatus?: { status: string } }; error?: { code: number } };

async function replay(
  test: CaseJson,
  workers: ReturnType<typeof startChainPools>,
): Promise<{ head: string; problems: string[]; refused: number }> {
  const dir = tempDir("fastevm-engine-bt-");
  const storage = openStorage(join(dir.path, "datadir"), { noSync: true });
  try {
    await writeFixtureGenesis(storage, test, "Cancun");
    const chain = new Chain(storage, workers, { maxReorgDepth: FIXTURE_MAX_REORG_DEPTH });
    const engine = new EngineState(chain, new PayloadBuilder(chain), (t) => payloadPool.check(t), {
      maxReorgDepth: FIXTURE_MAX_REORG_DEPTH,
      log: () => {},
    });
    const api = publicMethods(createRpcContext(chain, workers.recover));
    const rpc = new JsonRpcDispatcher(engineMethods(engine, api.methods), { log: () => {} });
    const call = async (method: string, params: unknown[]): Promise<Answer> =>
      JSON.parse((await rpc.handle(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params })))!) as Answer;
    const problems: string[] = [];
    let refused = 0;
    for (const [i, b] of test.blocks.entries()) {
      const invalid = b.expectException !== undefined;
      let block: Block;
      let payload: unknown;
      const blobHashes: string[] = [];
      try {
        block = decodeBlock(looseHexToBytes(b.rlp));
        payload = blockToPayload(block);
        for (const raw of block.transactions) {
          const tx = decodeTransaction(raw);
          if (tx.type === 3) blobHashes.push(...tx.blobVersionedHashes.map(bytesToHex));
        }
      } catch (e) {
        // No payload form at all (undecodable block or transaction): nothing to send.
        if (invalid) refused++;
        else problems.push(`block ${i}: valid block has no payload form: ${(e as Error).message}`);
        continue;
      }
      const beaconRoot =
        block.header.parentBeaconBlockRoot === undefined ? Z : bytesToHex(block.header.parentBeaconBlockRoot);
      const np = await call("engine_newPayloadV3", [payload, blobHashes, beaconRoot]);
      const status = np.result?.status;
      if (!invalid) {
        if (status !== "VALID") {
          problems.push(`block ${i}: valid block answered ${status ?? `error ${np.error?.code}`}`);
          continue;
        }
        const fcu = await call("engine_forkchoiceUpdatedV3", [
          { headBlockHash: bytesToHex(headerHash(block.header)), safeBlockHash: Z, finalizedBlockHash: Z },
          null,
        ]);
        if (fcu.result?.payloadStatus?.status !== "VALID")
          problems.push(`block ${i}: forkchoiceUpdated not VALID`);
      } else if (status === "VALID" || status === "ACCEPTED") {
        problems.push(`block ${i}: invalid block (${b.expectException}) answered ${status}`);
      } else if (status === "INVALID" || status === "SYNCING" || np.error?.code === -32602) {
        refused++;
      } else {
        problems.push(`block ${i}: invalid block answered ${JSON.stringify(np)}`);
      }
    }
    await engine.lock.run(() => undefined);
    await chain.persisted();
    api.close();
    return { head: bytesToHex(chain.head().hash), problems, refused };
  } finally {
    await storage.close();
    rmSync(dir.path, { recursive: true, force: true });
  }
}

describe("Cancun BlockchainTests through engine_newPayloadV3 + engine_forkchoiceUpdatedV3", () => {
  const pools = startChainPools();
  afterAll(() => Promise.all([pools.close(), payloadPool.close()]));

  it("reaches every ValidBlocks lastblockhash and refuses every invalid block", {
    timeout: 300_000,
  }, async () => {
    const tests = loadBlockchainTests().filter((t) => t.test.network === "Cancun");
    const failures: string[] = [];
    let valid = 0;
    let refused = 0;
    for (const { name, test } of tests) {
      const r = await replay(test as unknown as CaseJson, pools);
      refused += r.refused;
      for (const p of r.problems) failures.push(`${name}: ${p}`);
      if (name.startsWith("ValidBlocks/")) {
        valid++;
        if (r.head !== (test as unknown as CaseJson).lastblockhash.toLowerCase())
          failures.push(`${name}: head ${r.head} != lastblockhash`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(valid).toBeGreaterThanOrEqual(MIN_VALID_CASES);
    expect(refused).toBeGreaterThanOrEqual(MIN_INVALID_BLOCKS);
  });
});
