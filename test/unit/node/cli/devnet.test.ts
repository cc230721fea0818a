import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { devnetCommand } from "../../../../node/cli/commands/devnet.ts";

const dir = mkdtempSync(join(tmpdir(), "fastevm-devnet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fastevm devnet", () => {
  it("initialises the datadir once, then reports its head", async () => {
    const datadir = join(dir, "net");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      expect(await devnetCommand.run(["--datadir", datadir])).toBe(0);
      const first = log.mock.calls.map((c) => String(c[0])).join("\n");
      expect(first).toMatch(
        /genesis hash {2}0x7ab606cb590438e7b0874fa8ffcd80474c9313847611ff6bb327e3128b8134b0/,
      );
      log.mockClear();
      expect(await devnetCommand.run(["--datadir", datadir])).toBe(0);
      const second = log.mock.calls.map((c) => String(c[0])).join("\n");
      expect(second).toMatch(/head {10}#0 0x7ab606cb/);
    } finally {
      log.mockRestore();
    }
  });

  it("rejects unknown arguments as a usage error", async () => {
    await expect(devnetCommand.run(["--bogus"])).rejects.toMatchObject({ code: "CLI_USAGE" });
  });
});
