/**
 * Locates the shared ethereum/tests fixtures (`../shared/fixtures/ethereum-tests` beside the repository) and
 * lists their JSON files. Fixtures are read in place, never copied into the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Root of the ethereum/tests checkout; FASTEVM_FIXTURES overrides it. */
export const FIXTURES_DIR =
  process.env.FASTEVM_FIXTURES ?? resolve(REPO_ROOT, "../shared/fixtures/ethereum-tests");

export function fixturePath(...parts: string[]): string {
  const p = join(FIXTURES_DIR, ...parts);
  if (!existsSync(p)) throw new Error(`fixture path ${p} is missing: is ../shared beside the repository?`);
  return p;
}

/** Every `.json` file under `dir`, recursively, in a stable (sorted) order. */
export function listJsonFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".json")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
