import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../../../node/cli/main.ts";
import { versionText } from "../../../../node/cli/version.ts";
import { REPO_ROOT } from "../../../utils/fixtures.ts";

describe("fastevm CLI", () => {
  it("lists its commands and rejects unknown ones with exit code 2", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await main(["help"])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toMatch(/statetest/);
      expect(await main(["no-such-command"])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toMatch(/unknown command "no-such-command"/);
      expect(await main([])).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it("prints a command's generated help on --help", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await main(["statetest", "--help"])).toBe(0);
      const text = String(log.mock.calls[0]?.[0]);
      expect(text).toMatch(/^fastevm statetest: /);
      expect(text).toMatch(/--fork NAME\s+.*\(default: Cancun\)/);
      expect(text).toMatch(/example:\n {2}fastevm statetest /);
    } finally {
      log.mockRestore();
    }
  });

  it("prints the package version on --version, -v, -V and version", async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const out = execFileSync(process.execPath, [join(REPO_ROOT, "bin/fastevm.js"), "--version"], {
      encoding: "utf8",
    });
    expect(out.split("\n")[0]).toBe(`fastevm ${pkg.version}`);
    expect(versionText().split("\n")[0]).toBe(`fastevm ${pkg.version}`);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      for (const a of ["version", "-v", "-V"]) expect(await main([a])).toBe(0);
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([versionText(), versionText(), versionText()]);
    } finally {
      log.mockRestore();
    }
  });

  it("is found by `pnpm exec fastevm` (the package links its own bin: devDependency fastevm link:.)", () => {
    const r = spawnSync("pnpm", ["exec", "fastevm", "--version"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(versionText().split("\n")[0]);
  });

  it("runs through the package bin as a real process", () => {
    const out = execFileSync(process.execPath, [join(REPO_ROOT, "bin/fastevm.js"), "help"], {
      encoding: "utf8",
    });
    expect(out).toMatch(/usage: fastevm <command>/);
    const bad = spawnSync(process.execPath, [join(REPO_ROOT, "bin/fastevm.js"), "bogus"], {
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "bogus"/);
  });
});
