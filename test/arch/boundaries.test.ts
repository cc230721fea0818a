/**
 * Enforces the import rules of ARCHITECTURE.md (the code map): which folder may import which, and that the
 * pure zones (`node/core/`, `node/txpool/`) do no I/O. A new folder under `node/` must be added to ZONES before it can be
 * used, so the map and the code cannot drift apart.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../utils/fixtures.ts";

/** zone → zones it may import (itself included explicitly). Longest prefix wins. */
const ZONES: Record<string, readonly string[]> = {
  "node/core": ["node/core"],
  "node/storage": ["node/core", "node/storage"],
  "node/state": ["node/core", "node/storage", "node/state"],
  "node/evm": ["node/core", "node/state", "node/evm", "wasm/bindings"],
  "node/chain": ["node/core", "node/storage", "node/state", "node/evm", "node/chain", "node/metrics"],
  "node/network": ["node/core", "node/network", "node/metrics"],
  "node/pool": ["node/core", "node/pool", "node/metrics"],
  "node/metrics": ["node/core", "node/metrics"],
  "node/consensus": [
    "node/core",
    "node/storage",
    "node/network",
    "node/consensus",
    "node/consensus/mysticeti",
    "node/txpool",
    "node/metrics",
  ],
  "node/consensus/mysticeti": ["node/core", "node/consensus/mysticeti", "node/txpool"],
  "node/txpool": ["node/core", "node/txpool"],
  "node/txpool/service": ["node/core", "node/txpool", "node/txpool/service", "node/metrics"],
  "node/sync": [
    "node/core",
    "node/chain",
    "node/network",
    "node/metrics",
    "node/consensus/mysticeti",
    "node/sync",
  ],
  "node/rpc": ["node/core", "node/storage", "node/chain", "node/rpc", "node/txpool", "node/metrics"],
  "node/cli": ["node/*", "wasm/bindings"],
  workers: ["node/core", "node/evm", "node/state", "node/storage", "wasm/bindings", "workers"],
  "wasm/bindings": ["node/core", "wasm/bindings"],
  bench: ["node/*", "workers", "wasm/bindings", "bench"],
  perf: ["node/*", "workers", "wasm/bindings", "perf"],
  test: ["node/*", "workers", "wasm/bindings", "perf", "test"],
};

/** Zones that must do no I/O: the pure base and the pure consensus core. */
const PURE_ZONES = ["node/core", "node/consensus/mysticeti", "node/txpool"];

/** Packages and builtins that mean I/O or threads: never in a pure zone. */
const IO_MODULES = [
  "node:fs",
  "node:fs/promises",
  "node:net",
  "node:http",
  "node:https",
  "node:child_process",
  "node:worker_threads",
  "node:dgram",
  "node:crypto",
  "lmdb",
  "piscina",
  "uWebSockets.js",
  "libp2p",
  "prom-client",
  "pino",
];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      if (n === "node_modules" || n === "build") continue;
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".ts")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function zoneOf(repoPath: string): string | undefined {
  let best: string | undefined;
  for (const z of Object.keys(ZONES)) {
    if ((repoPath === z || repoPath.startsWith(`${z}/`)) && (best === undefined || z.length > best.length))
      best = z;
  }
  return best;
}

function allowed(from: string, to: string): boolean {
  return (ZONES[from] ?? []).some((z) => (z === "node/*" ? to.startsWith("node/") : z === to));
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): string[] {
  const src = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of src.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2])!);
  return out;
}

const SOURCE_ROOTS = ["node", "workers", "wasm/bindings", "bench", "perf"];
const files = SOURCE_ROOTS.flatMap((r) => tsFiles(join(REPO_ROOT, r)));

describe("architecture boundaries", () => {
  it("finds the source files", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it("every source folder is declared in the code map", () => {
    const unknown = files.map((f) => relative(REPO_ROOT, f)).filter((p) => zoneOf(p) === undefined);
    expect(unknown).toEqual([]);
  });

  it("imports follow the allow-list", () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = relative(REPO_ROOT, file);
      const from = zoneOf(rel);
      if (from === undefined) continue;
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const target = relative(REPO_ROOT, resolve(dirname(file), spec));
        const to = zoneOf(target);
        if (to === undefined || !allowed(from, to))
          violations.push(`${rel} imports ${target} (${from} → ${to ?? "?"})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it.each(PURE_ZONES)("%s does no I/O", (zone) => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = relative(REPO_ROOT, file);
      if (zoneOf(rel) !== zone) continue;
      for (const spec of importsOf(file)) {
        if (IO_MODULES.some((m) => spec === m || spec.startsWith(`${m}/`)))
          violations.push(`${rel} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("node/txpool reads no clock and sets no timers (time is passed in)", () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = relative(REPO_ROOT, file);
      if (zoneOf(rel) !== "node/txpool") continue;
      const src = readFileSync(file, "utf8");
      if (/\b(Date\.now|performance\.now|setTimeout|setInterval|setImmediate|new Date)\b/.test(src))
        violations.push(rel);
    }
    expect(files.some((f) => zoneOf(relative(REPO_ROOT, f)) === "node/txpool")).toBe(true);
    expect(violations).toEqual([]);
  });

  it("library code throws FastEvmError, never a bare Error", () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = relative(REPO_ROOT, file);
      if (rel.startsWith("bench/")) continue;
      const src = readFileSync(file, "utf8");
      if (/throw new (Type|Range)?Error\(/.test(src)) violations.push(rel);
    }
    expect(violations).toEqual([]);
  });
});
