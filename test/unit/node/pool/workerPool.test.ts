import { afterEach, describe, expect, it } from "vitest";
import { keccak256 } from "../../../../node/core/hash.ts";
import { WorkerPool } from "../../../../node/pool/workerPool.ts";

interface Task {
  bytes: Uint8Array;
  delayMs?: number;
}
interface Result {
  hash: Uint8Array;
  len: number;
}
const worker = new URL("../../../utils/workers/echo.worker.ts", import.meta.url);
let pool: WorkerPool<Task, Result> | undefined;
afterEach(async () => {
  await pool?.close();
});

describe("WorkerPool", () => {
  it("runs tasks on real worker threads", async () => {
    pool = new WorkerPool<Task, Result>({ name: "echo", worker, threads: 2 });
    const inputs = Array.from({ length: 20 }, (_, i) => new Uint8Array(i).fill(i));
    const results = await Promise.all(inputs.map((bytes) => pool!.run({ bytes })));
    results.forEach((r, i) => {
      expect(r.len).toBe(i);
      expect(r.hash).toEqual(keccak256(inputs[i]!));
    });
  });

  it("an on-demand pool starts no worker until its first task, then serves on one", async () => {
    pool = new WorkerPool<Task, Result>({ name: "echo", worker, threads: 1, onDemand: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.threads).toBe(0);
    expect((await pool.run({ bytes: new Uint8Array(5) })).len).toBe(5);
    expect(pool.threads).toBe(1);
    const eager = new WorkerPool<Task, Result>({ name: "echo", worker, threads: 1 });
    try {
      expect(eager.threads).toBe(1);
    } finally {
      await eager.close();
    }
  });

  it("aborts a running task when its signal fires, then serves the next one on a fresh worker", async () => {
    pool = new WorkerPool<Task, Result>({ name: "echo", worker, threads: 1 });
    const ac = new AbortController();
    const running = pool.run({ bytes: new Uint8Array(1), delayMs: 60_000 }, undefined, ac.signal);
    // queued or already running: either way the task is dropped (call.test.ts aborts a running EVM loop)
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    expect((await pool.run({ bytes: new Uint8Array(3) })).len).toBe(3);
  });

  it("rejects work beyond its queue bound and after close", async () => {
    pool = new WorkerPool<Task, Result>({ name: "echo", worker, threads: 1, maxQueue: 2 });
    const p = pool;
    // one task running (the worker is up and took it), then exactly two waiting fill the queue
    const first = p.run({ bytes: new Uint8Array(1), delayMs: 500 });
    const deadline = Date.now() + 30_000;
    while (!(p.busy === 1 && p.queueSize === 0)) {
      if (Date.now() > deadline) throw new Error("the worker never took the first task");
      await new Promise((r) => setTimeout(r, 5));
    }
    const queued = [p.run({ bytes: new Uint8Array(1) }), p.run({ bytes: new Uint8Array(1) })];
    expect(p.queueSize).toBe(2);
    await expect(p.run({ bytes: new Uint8Array(1) })).rejects.toMatchObject({ code: "POOL_FULL" });
    // nothing accepted was dropped: the running and both queued tasks complete
    const done = await Promise.all([first, ...queued]);
    expect(done).toHaveLength(3);
    await p.close();
    await expect(p.run({ bytes: new Uint8Array(1) })).rejects.toMatchObject({ code: "POOL_CLOSED" });
  });
});
