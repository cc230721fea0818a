/**
 * `pnpm gen:compose`: writes the deployment files generated from the cluster description
 * (node/cli/topology.ts) and the dashboard (node/cli/dashboard.ts): docker-compose.yml, the Prometheus scrape
 * configuration and Grafana's provisioning and dashboard. `pnpm gen:compose --check` writes nothing and
 * exits 1 when a committed file differs from a fresh generation (test/unit/node/cli/topology.test.ts runs the
 * same comparison).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dashboardJson, grafanaDashboardProvider, grafanaDatasource } from "./dashboard.ts";
import {
  clusterServices,
  composeFile,
  composePlacement,
  PROMETHEUS_PORT,
  prometheusConfig,
} from "./topology.ts";

/** The validator pairs of the committed docker-compose cluster. */
export const COMPOSE_VALIDATORS = 4;

export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** Repository-relative path → content of every generated deployment file. */
export function deployFiles(): Record<string, string> {
  return {
    "docker-compose.yml": composeFile(COMPOSE_VALIDATORS),
    "deploy/prometheus/prometheus.yml": prometheusConfig(
      clusterServices(composePlacement(), COMPOSE_VALIDATORS),
    ),
    "deploy/grafana/provisioning/datasources/prometheus.yml": grafanaDatasource(
      `http://prometheus:${PROMETHEUS_PORT}`,
    ),
    "deploy/grafana/provisioning/dashboards/fastevm.yml": grafanaDashboardProvider("/etc/grafana/dashboards"),
    "deploy/grafana/dashboards/fastevm.json": dashboardJson(),
  };
}

/** The generated files whose committed copy differs from a fresh generation. */
export function staleDeployFiles(root = REPO_ROOT): string[] {
  return Object.entries(deployFiles())
    .filter(([path, text]) => {
      try {
        return readFileSync(join(root, path), "utf8") !== text;
      } catch {
        return true;
      }
    })
    .map(([path]) => path);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) {
    const stale = staleDeployFiles();
    for (const p of stale) console.log(`stale: ${p} (run pnpm gen:compose)`);
    process.exitCode = stale.length === 0 ? 0 : 1;
  } else {
    for (const [path, text] of Object.entries(deployFiles())) {
      const file = join(REPO_ROOT, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      console.log(`wrote ${path}`);
    }
  }
}
