import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../../../node/cli/main.ts";
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
