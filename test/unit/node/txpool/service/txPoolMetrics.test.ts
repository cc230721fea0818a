/**
 * The txpool and chain metrics on a real chain (LMDB, the recover and execute pools) and a real registry:
 * additions by origin, refusals by reason, the pending gauge, then one imported block — blocks, gas,
 * transactions, head number, every import stage — and the pool's inclusions.
 */
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Chain } from "../../../../../node/chain/chain.ts";
import { DEV_CHAIN_ID } from "../../../../../node/chain/chainGenerator.ts";
import { type ChainPools, startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { cachedWorkers, startNodeTxPool } from "../../../../../node/cli/txpoolSetup.ts";
import { SenderCache } from "../../../../../node/core/tx/senderCache.ts";
import { createMetrics } from "../../../../../node/metrics/metrics.ts";
import { ADDRESSES, type DevChain, devTx, openDevChain } from "../../../../utils/devChain.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

let pools: ChainPools;
let dev: DevChain;
const dir = tempDir("fastevm-txpool-metrics-");
const metrics = createMetrics(new Registry());

beforeAll(async () => {
  pools = startChainPools();
  dev = await openDevChain(pools);
});
afterAll(async () => {
  await dev.close();
  await pools.close();
  dir.remove();
});

/** `series` (name with labels, as in the text format) from a scrape of the registry. */
async function scrape(series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("txpool and chain metrics", () => {
  it("count admissions, refusals by reason, the import of a block and its inclusions", async () => {
    const senders = new SenderCache();
    const chain = new Chain(dev.storage, cachedWorkers(pools, DEV_CHAIN_ID, senders), {
      metrics: metrics.chain,
    });
    const p = await startNodeTxPool({
      chain,
      workers: pools,
      senders,
      datadir: dir.path,
      config: {},
      journal: false,
      log: () => {},
      metrics: metrics.txpool,
    });
    try {
      const txs = [0n, 1n, 2n].map((n) => devTx(0, n, ADDRESSES[5]!, 1n));
      expect((await p.service.submit(txs)).every((r) => r.ok)).toBe(true);
      const bad = await p.service.submit([txs[0]!, new Uint8Array(200 * 1024).fill(1)]);
      expect(bad.map((r) => (r.ok ? "ok" : r.error.code))).toEqual([
        "TXPOOL_ALREADY_KNOWN",
        "TXPOOL_OVERSIZED",
      ]);
      expect(await scrape('fastevm_txpool_added_total{origin="local"}')).toBe(3);
      expect(await scrape('fastevm_txpool_refused_total{reason="TXPOOL_ALREADY_KNOWN"}')).toBe(1);
      expect(await scrape('fastevm_txpool_refused_total{reason="TXPOOL_OVERSIZED"}')).toBe(1);
      expect(await scrape("fastevm_txpool_pending")).toBe(3);
      expect(await scrape("fastevm_txpool_queued")).toBe(0);
      expect(await scrape("fastevm_chain_head_number")).toBe(Number(chain.head().header.number));

      const before = chain.head().header.number;
      const block = await chain.buildBlock(txs);
      const r = await chain.importBlock(block);
      await p.service.settled();
      expect(await scrape("fastevm_chain_blocks_imported_total")).toBe(1);
      expect(await scrape("fastevm_chain_transactions_imported_total")).toBe(3);
      expect(await scrape("fastevm_chain_gas_imported_total")).toBe(Number(r.gasUsed));
      expect(await scrape("fastevm_chain_head_number")).toBe(Number(before) + 1);
      for (const stage of ["recover", "execute", "evm", "state_root", "persist"])
        expect(await scrape(`fastevm_chain_stage_seconds_count{stage="${stage}"}`)).toBe(1);
      expect(await scrape("fastevm_chain_reorgs_total")).toBe(0);
      expect(await scrape("fastevm_txpool_included_total")).toBe(3);
      expect(await scrape("fastevm_txpool_pending")).toBe(0);
    } finally {
      await p.close();
    }
  });
});
