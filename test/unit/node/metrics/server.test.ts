/** The metrics server on a real port: /metrics text, /health and /ready verdicts (200/503), exclusive port. */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../../node/metrics/metrics.ts";
import { type Check, startMetricsServer } from "../../../../node/metrics/server.ts";

describe("startMetricsServer", () => {
  it("serves the registry and the two checks", async () => {
    const metrics = createMetrics(new Registry());
    metrics.chain.headNumber.set(42);
    let ready: ReturnType<Check> = { ok: false, reason: "behind" };
    const s = await startMetricsServer({
      host: "127.0.0.1",
      port: 0,
      registry: metrics.registry,
      health: () => ({ ok: true }),
      ready: () => ready,
    });
    try {
      expect(s.url).toBe(`http://127.0.0.1:${s.port}/metrics`);
      const m = await fetch(s.url);
      expect(m.status).toBe(200);
      expect(m.headers.get("content-type")).toContain("text/plain");
      expect(await m.text()).toContain("\nfastevm_chain_head_number 42\n");
      const base = `http://127.0.0.1:${s.port}`;
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const r = await fetch(`${base}/ready`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ status: "unavailable", reason: "behind" });
      ready = { ok: true };
      expect(await (await fetch(`${base}/ready`)).json()).toEqual({ status: "ok" });
      expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
      await expect(
        startMetricsServer({
          host: "127.0.0.1",
          port: s.port,
          registry: metrics.registry,
          health: () => ({ ok: true }),
          ready: () => ({ ok: true }),
        }),
      ).rejects.toMatchObject({ code: "METRICS_SERVER" });
    } finally {
      await s.close();
    }
  });

  it("answers 503 when a check throws (a closed database)", async () => {
    const s = await startMetricsServer({
      host: "127.0.0.1",
      port: 0,
      registry: new Registry(),
      health: () => {
        throw new RangeError("database closed");
      },
      ready: () => ({ ok: true }),
    });
    try {
      const r = await fetch(`http://127.0.0.1:${s.port}/health`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ status: "unavailable", reason: "database closed" });
    } finally {
      await s.close();
    }
  });
});
