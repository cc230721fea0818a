/**
 * The cluster description (node/cli/topology.ts) and what is generated from it: the committed
 * docker-compose.yml, Prometheus and Grafana files equal a fresh `pnpm gen:compose`; `docker-compose config
 * -q` (Debian's docker-compose 1.29, offline) accepts the compose file and `promtool check config` the scrape
 * configuration; compose and `fastevm devnet --split` run every service with the same flags; every metric the
 * dashboard queries is one node/metrics/ registers. The split layout is made once, reused, and not mixed up
 * with a `fastevm devnet` one.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { devnetCommand } from "../../../../node/cli/commands/devnet.ts";
import { dashboardExpressions, dashboardJson, PANELS } from "../../../../node/cli/dashboard.ts";
import { prepareDevnet } from "../../../../node/cli/devnetSetup.ts";
import {
  COMPOSE_VALIDATORS,
  deployFiles,
  REPO_ROOT,
  staleDeployFiles,
} from "../../../../node/cli/genDeploy.ts";
import { prepareSplitDevnet, splitServices } from "../../../../node/cli/splitDevnet.ts";
import {
  clusterServices,
  composeFile,
  composePlacement,
  localPlacement,
  type PairPorts,
  prometheusConfig,
  toYaml,
} from "../../../../node/cli/topology.ts";
import { createMetrics } from "../../../../node/metrics/metrics.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const dir = tempDir("fastevm-topology-");
afterAll(() => dir.remove());

const DOCKER_COMPOSE = "/usr/bin/docker-compose";
const PROMTOOL = "/usr/bin/promtool";

/** The flag names of a `fastevm` argument list (values dropped). */
const flags = (args: readonly string[]) => [args[0], ...args.filter((a) => a.startsWith("--"))];

describe("cluster topology", () => {
  it("the committed deployment files equal a fresh generation (pnpm gen:compose)", () => {
    expect(staleDeployFiles()).toEqual([]);
    expect(Object.keys(deployFiles())).toContain("docker-compose.yml");
  });

  it.skipIf(!existsSync(DOCKER_COMPOSE))(
    `docker-compose config -q accepts docker-compose.yml${existsSync(DOCKER_COMPOSE) ? "" : ` (skipped: ${DOCKER_COMPOSE} is not installed)`}`,
    () => {
      const file = join(REPO_ROOT, "docker-compose.yml");
      const q = spawnSync(DOCKER_COMPOSE, ["-f", file, "config", "-q"], { encoding: "utf8" });
      expect(q.stderr, q.stderr).toBe("");
      expect(q.status).toBe(0);
      const services = spawnSync(DOCKER_COMPOSE, ["-f", file, "config", "--services"], { encoding: "utf8" });
      expect(services.stdout.trim().split("\n").sort()).toEqual(
        [
          "init",
          "prometheus",
          "grafana",
          ...Array.from({ length: COMPOSE_VALIDATORS }, (_, i) => [
            `execution-${i}`,
            `consensus-${i}`,
          ]).flat(),
        ].sort(),
      );
      // a broken file is refused: the check can fail
      const bad = join(dir.path, "bad-compose.yml");
      writeFileSync(bad, composeFile(1).replace("services:", "services:\n  x:\n    depends_on: 7"));
      expect(spawnSync(DOCKER_COMPOSE, ["-f", bad, "config", "-q"], { encoding: "utf8" }).status).not.toBe(0);
    },
  );

  it.skipIf(!existsSync(PROMTOOL))("promtool accepts the scrape configuration", () => {
    const r = spawnSync(PROMTOOL, ["check", "config", join(REPO_ROOT, "deploy/prometheus/prometheus.yml")], {
      encoding: "utf8",
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("compose and --split run every service with the same command and flags", () => {
    const ports: PairPorts[] = Array.from({ length: 4 }, (_, i) => ({
      engine: 20000 + i,
      http: 21000 + i,
      ws: 22000 + i,
      executionMetrics: 23000 + i,
      p2p: 24000 + i,
      consensusMetrics: 25000 + i,
    }));
    const compose = clusterServices(composePlacement(), 4);
    const local = clusterServices(localPlacement("/tmp/x", ports), 4);
    expect(compose.map((s) => s.name)).toEqual(local.map((s) => s.name));
    expect(compose.map((s) => flags(s.args))).toEqual(local.map((s) => flags(s.args)));
    // the consensus client drives its own pair's execution node with that pair's secret
    const c1 = local.find((s) => s.name === "consensus-1")!.args;
    expect(c1[c1.indexOf("--execution-url") + 1]).toBe("http://127.0.0.1:20001");
    const e1 = local.find((s) => s.name === "execution-1")!.args;
    expect(c1[c1.indexOf("--jwt-secret") + 1]).toBe(e1[e1.indexOf("--authrpc.jwtsecret") + 1]);
    // Prometheus scrapes all 8 processes, labelled by node and role
    const prom = prometheusConfig(local);
    for (const s of local) expect(prom).toContain(`"127.0.0.1:${s.metrics.port}"`);
    expect(prom.match(/role: "consensus"/g)).toHaveLength(4);
  });

  it("every metric the dashboard queries is registered by node/metrics/", async () => {
    const registry = new Registry();
    createMetrics(registry);
    const names = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set(dashboardExpressions().flatMap((e) => e.match(/fastevm_[a-z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(10);
    const unknown = [...used].filter((n) => !names.has(n.replace(/_(bucket|sum|count)$/, "")));
    expect(unknown).toEqual([]);
    const json = JSON.parse(dashboardJson()) as { panels: { targets: { expr: string }[] }[] };
    expect(json.panels).toHaveLength(PANELS.length);
  });

  it("toYaml writes YAML that keeps strings as strings", () => {
    expect(toYaml({ a: ["1", 2, true], "b c": {}, d: { e: "x: y" } })).toBe(
      'a:\n  - "1"\n  - 2\n  - true\n"b c": {}\nd:\n  e: "x: y"\n',
    );
  });

  it("lays out a split devnet once, reuses it, refuses a non-split layout and the other way round", async () => {
    const root = join(dir.path, "split");
    const a = await prepareSplitDevnet(root, 2);
    expect(a.nodes.map((n) => `${n.name}:${n.role}`)).toEqual([
      "execution-0:execution",
      "consensus-0:consensus",
      "execution-1:execution",
      "consensus-1:consensus",
    ]);
    for (const n of a.nodes) expect(n.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    for (const p of a.pairs) {
      expect(existsSync(join(p.executionDatadir))).toBe(true);
      expect(readFileSync(p.jwtSecret, "utf8").trim()).toMatch(/^0x[0-9a-f]{64}$/);
    }
    const committee = JSON.parse(readFileSync(a.committee, "utf8")) as {
      authorities: { addresses: string[] }[];
    };
    expect(committee.authorities.map((x) => x.addresses[0])).toEqual(
      a.pairs.map((p) => `/ip4/127.0.0.1/tcp/${p.ports.p2p}`),
    );
    const b = await prepareSplitDevnet(root, 2);
    expect(b.pairs.map((p) => p.ports.engine)).toEqual(a.pairs.map((p) => p.ports.engine));
    expect(splitServices(b).map((s) => s.args)).toEqual(splitServices(a).map((s) => s.args));
    await expect(prepareSplitDevnet(root, 3)).rejects.toThrow(/2 pairs, not 3/);
    await expect(prepareDevnet(root, 2)).rejects.toThrow(/not a devnet layout/);
    const plain = join(dir.path, "plain");
    await prepareDevnet(plain, 1);
    await expect(prepareSplitDevnet(plain, 1)).rejects.toThrow(/without --split/);
  });

  it("lays out the compose cluster with container host names", async () => {
    const root = mkdtempSync(join(tmpdir(), "fastevm-compose-init-"));
    try {
      const l = await prepareSplitDevnet(root, 2, { compose: true });
      const committee = JSON.parse(readFileSync(l.committee, "utf8")) as {
        authorities: { addresses: string[] }[];
      };
      expect(committee.authorities.map((x) => x.addresses[0])).toEqual([
        "/dns4/consensus-0/tcp/9000",
        "/dns4/consensus-1/tcp/9000",
      ]);
      expect(l.nodes[0]!.rpc).toBe("http://execution-0:8545");
      await expect(prepareSplitDevnet(root, 2)).rejects.toThrow(/laid out for compose/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses --init-only without --split and --compose without --init-only", async () => {
    await expect(devnetCommand.run(["--init-only", "--datadir", join(dir.path, "u")])).rejects.toThrow(
      /--init-only needs --split/,
    );
    await expect(
      devnetCommand.run(["--split", "--compose", "--datadir", join(dir.path, "u")]),
    ).rejects.toThrow(/--compose needs --init-only/);
  });
});
