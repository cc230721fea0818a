/**
 * pnpm perf's memory figures (perf/memory.ts): the RSS parsed from a real prom-client exposition, and the
 * sampler against real HTTP endpoints on 127.0.0.1 — one serving metrics, one refusing connections, one
 * without a metrics URL.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemorySampler, memoryLine, residentBytes } from "../../../perf/memory.ts";

const registry = new Registry();
collectDefaultMetrics({ register: registry });
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    void registry.metrics().then((text) => res.end(text));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("pnpm perf memory sampling", () => {
  it("reads process_resident_memory_bytes from prom-client's own exposition", async () => {
    const bytes = residentBytes(await registry.metrics());
    expect(bytes).toBeDefined();
    const rss = process.memoryUsage().rss;
    expect(Math.abs(bytes! - rss) / rss).toBeLessThan(0.5);
    expect(residentBytes("# HELP x\nx 1\n")).toBeUndefined();
    expect(residentBytes("process_resident_memory_bytes NaN\n")).toBeUndefined();
    expect(residentBytes('process_resident_memory_bytes{pid="1"} 1.5e8\n')).toBe(1.5e8);
    // the node's own registry prefixes its default metrics
    expect(residentBytes("fastevm_process_resident_memory_bytes 123456789\n")).toBe(123456789);
    expect(residentBytes("fastevm_process_resident_memory_bytes_total 1\n")).toBeUndefined();
  });

  it("keeps the most and the last seen per node, leaving out nodes with no answer or no endpoint", async () => {
    const refused = createServer();
    await new Promise<void>((ok) => refused.listen(0, "127.0.0.1", ok));
    const deadPort = (refused.address() as AddressInfo).port;
    await new Promise<void>((ok) => refused.close(() => ok()));
    const sampler = new MemorySampler(
      [
        { name: "a", metrics: url },
        { name: "gone", metrics: `http://127.0.0.1:${deadPort}/metrics` },
        { name: "none" },
      ],
      60_000,
    );
    for (let i = 0; i < 3; i++) await sampler.sample();
    const mem = sampler.stop();
    expect(mem.map((m) => m.name)).toEqual(["a"]);
    expect(mem[0]!.samples).toBe(3);
    expect(mem[0]!.maxMb).toBeGreaterThanOrEqual(mem[0]!.lastMb);
    expect(mem[0]!.lastMb).toBeGreaterThan(10);
    expect(memoryLine(mem)).toMatch(/^a \d+\/\d+$/);
    expect(memoryLine([])).toMatch(/not measured/);
  });
});
