import { afterEach, describe, expect, it } from "vitest";
import { isFastEvmError } from "../../../../node/core/errors.ts";
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
    const running = [0, 1, 2].map(() =>
      pool!.run({ bytes: new Uint8Array(1), delayMs: 200 }).catch((e) => e),
    );
    await new Promise((r) => setTimeout(r, 20));
    const overflow = await Promise.all(
      [3, 4, 5].map(() => pool!.run({ bytes: new Uint8Array(1) }).catch((e) => e)),
    );
    expect(overflow.some((e) => isFastEvmError(e, "POOL_FULL"))).toBe(true);
    await Promise.all(running);
    await pool.close();
    await expect(pool.run({ bytes: new Uint8Array(1) })).rejects.toMatchObject({ code: "POOL_CLOSED" });
  });
});
