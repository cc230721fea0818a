/**
 * The metrics wiring on a real registry: every name is `fastevm_*`, two registries never share a metric
 * (nothing global), and a real recover pool's tasks show up as task counts, job time, latency to and from
 * the worker, thread and queue gauges, and POOL_FULL refusals as dropped tasks.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { encodeTransaction, signTransaction } from "../../../../node/core/tx/index.ts";
import type { RecoverResult, RecoverTask } from "../../../../node/core/wire/recover.ts";
import { createMetrics, type Metrics } from "../../../../node/metrics/metrics.ts";
import { RECOVER_CHUNK, RecoverPool } from "../../../../node/pool/recoverPool.ts";
import { WorkerPool } from "../../../../node/pool/workerPool.ts";

const key = secp256k1.utils.randomSecretKey();

function transfers(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    encodeTransaction(
      signTransaction(
        {
          type: 2,
          chainId: 1n,
          nonce: BigInt(i),
          maxPriorityFeePerGas: 1n,
          maxFeePerGas: 10n,
          gasLimit: 21000n,
          to: new Uint8Array(20).fill(1),
          value: 1n,
          data: new Uint8Array(),
          accessList: [],
        },
        key,
      ),
    ),
  );
}

/** The value of `name` with exactly these labels (histograms: pass the `_count` / `_sum` sample name). */
async function value(
  m: Metrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const base = name.replace(/_(count|sum|bucket)$/, "");
  const metric = m.registry.getSingleMetric(base);
  if (metric === undefined) return undefined;
  const data = await metric.get();
  const want = Object.entries(labels);
  const sample = data.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? base) === name &&
      Object.keys(v.labels).length === want.length &&
      want.every(([k, x]) => v.labels[k] === x),
  );
  return sample?.value;
}

describe("createMetrics", () => {
  it("names every metric fastevm_* and keeps each registry to itself", async () => {
    const a = createMetrics(new Registry(), { version: "1.2.3" });
    const b = createMetrics(new Registry());
    const names = (await a.registry.getMetricsAsJSON()).map((x) => x.name);
    expect(names.length).toBeGreaterThan(60);
    expect(names.filter((n) => !n.startsWith("fastevm_"))).toEqual([]);
    for (const n of [
      "fastevm_pool_queue_length",
      "fastevm_engine_request_seconds",
      "fastevm_chain_stage_seconds",
      "fastevm_txpool_refused_total",
      "fastevm_consensus_commit_latency_seconds",
      "fastevm_p2p_bytes_total",
      "fastevm_rpc_requests_total",
      "fastevm_nodejs_eventloop_lag_seconds",
      "fastevm_process_resident_memory_bytes",
    ])
      expect(names).toContain(n);
    a.chain.blocksImported.inc();
    expect(await value(a, "fastevm_chain_blocks_imported_total")).toBe(1);
    expect(await value(b, "fastevm_chain_blocks_imported_total")).toBe(0);
    expect(await value(a, "fastevm_info", { version: "1.2.3" })).toBe(1);
  });
});

describe("worker pool metrics (a real recover pool)", () => {
  const metrics = createMetrics(new Registry());
  const pool = new RecoverPool({ threads: 1, metrics: metrics.pools });
  afterAll(() => pool.close());

  it("counts tasks and times them, with the worker's own timestamps", async () => {
    const txs = transfers(RECOVER_CHUNK + 5);
    const items = await pool.recover(txs, 1n);
    expect(items.every((i) => i.ok)).toBe(true);
    const recover = { pool: "recover" };
    expect(await value(metrics, "fastevm_pool_tasks_total", { ...recover, outcome: "ok" })).toBe(2);
    for (const h of [
      "fastevm_pool_task_seconds",
      "fastevm_pool_job_time_seconds",
      "fastevm_pool_latency_to_worker_seconds",
      "fastevm_pool_latency_from_worker_seconds",
    ]) {
      expect(await value(metrics, `${h}_count`, recover)).toBe(2);
      expect(await value(metrics, `${h}_sum`, recover)).toBeGreaterThanOrEqual(0);
    }
    // the job ran inside the round trip
    expect(await value(metrics, "fastevm_pool_job_time_seconds_sum", recover)).toBeLessThanOrEqual(
      (await value(metrics, "fastevm_pool_task_seconds_sum", recover))!,
    );
    const text = await metrics.registry.metrics();
    expect(text).toContain('fastevm_pool_threads{pool="recover"} 1');
    expect(text).toContain('fastevm_pool_queue_length{pool="recover"} 0');
    expect(text).toContain('fastevm_pool_workers_busy{pool="recover"} 0');
  });

  it("counts POOL_FULL refusals as dropped", async () => {
    const m = createMetrics(new Registry());
    const small = new WorkerPool<RecoverTask, RecoverResult>({
      name: "small",
      worker: new URL("../../../../workers/recover/recover.worker.ts", import.meta.url),
      threads: 1,
      maxQueue: 1,
      metrics: m.pools,
    });
    try {
      const tx = transfers(1);
      const runs = Array.from({ length: 8 }, () => small.run({ txs: tx, chainId: 1n }));
      const settled = await Promise.allSettled(runs);
      const full = settled.filter((s) => s.status === "rejected" && isFastEvmError(s.reason, "POOL_FULL"));
      expect(full.length).toBeGreaterThan(0);
      expect(await value(m, "fastevm_pool_dropped_total", { pool: "small" })).toBe(full.length);
      const ok = settled.filter((s) => s.status === "fulfilled").length;
      expect(await value(m, "fastevm_pool_tasks_total", { pool: "small", outcome: "ok" })).toBe(ok);
    } finally {
      await small.close();
    }
  });
});
