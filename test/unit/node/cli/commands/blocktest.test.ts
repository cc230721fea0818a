/** `fastevm blocktest`: per-case lines, the closing summary, `--json`, and a failing case turning the exit code to 1. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { blocktestCommand } from "../../../../../node/cli/commands/blocktest.ts";
import { isFastEvmError } from "../../../../../node/core/errors.ts";
import { fixturePath, readJson } from "../../../../utils/fixtures.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

const dir = tempDir();
afterAll(() => dir.remove());

async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((s: unknown) => {
    lines.push(String(s));
  });
  try {
    return { code: await blocktestCommand.run(argv), lines };
  } finally {
    spy.mockRestore();
  }
}

describe("fastevm blocktest", () => {
  const example = fixturePath("BlockchainTests/ValidBlocks/bcExample");

  it("prints one line per case and the summary", async () => {
    const { code, lines } = await run([example]);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith("PASS "))).toHaveLength(4);
    expect(lines.at(-1)).toBe("4 passed, 0 failed");
  });

  it("prints JSON with --json and fails on a wrong lastblockhash", async () => {
    const file = join(example, "basefeeExample.json");
    const json = readJson<Record<string, { lastblockhash: string }>>(file);
    for (const t of Object.values(json)) t.lastblockhash = `0x${"11".repeat(32)}`;
    const broken = join(dir.path, "broken.json");
    writeFileSync(broken, JSON.stringify(json));
    const { code, lines } = await run(["--json", broken]);
    expect(code).toBe(1);
    const rec = JSON.parse(lines[0]!) as { pass: boolean; error: string };
    expect(rec.pass).toBe(false);
    expect(rec.error).toMatch(/lastblockhash/);
    expect(lines.at(-1)).toBe("0 passed, 1 failed");
  });

  it("refuses a file that is not a blockchain test, and fails when no case ran", async () => {
    const stateTest = fixturePath("GeneralStateTests/stExample/add11.json");
    await expect(run([stateTest])).rejects.toSatisfy(
      (e) =>
        isFastEvmError(e, "FIXTURE_INVALID") && /is not a BlockchainTests file/.test((e as Error).message),
    );
    const json = readJson<Record<string, { network: string }>>(join(example, "basefeeExample.json"));
    for (const t of Object.values(json)) t.network = "Berlin";
    const berlin = join(dir.path, "berlin.json");
    writeFileSync(berlin, JSON.stringify(json));
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
    try {
      await expect(blocktestCommand.run([berlin])).rejects.toSatisfy(
        (e) => isFastEvmError(e, "NO_TEST_CASES") && /no case ran \(1 skipped/.test((e as Error).message),
      );
    } finally {
      vi.restoreAllMocks();
    }
    expect(lines.at(-1)).toBe("0 passed, 0 failed, 1 skipped");
  });
});
