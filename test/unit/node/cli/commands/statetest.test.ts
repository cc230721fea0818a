import { afterEach, describe, expect, it, vi } from "vitest";
import { statetestCommand } from "../../../../../node/cli/commands/statetest.ts";
import { isFastEvmError } from "../../../../../node/core/errors.ts";

const EXAMPLES = new URL(
  "../../../../../../shared/fixtures/ethereum-tests/GeneralStateTests/stExample",
  import.meta.url,
).pathname;

function capture(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
  return lines;
}

describe("fastevm statetest", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("runs a fixture directory and prints per-case lines and the summary", async () => {
    const lines = capture();
    expect(await statetestCommand.run([EXAMPLES])).toBe(0);
    const summary = lines.at(-1) ?? "";
    const m = /^(\d+) passed, 0 failed$/.exec(summary);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(30);
    expect(lines.filter((l) => l.startsWith("PASS ")).length).toBe(Number(m?.[1]));
  });

  it("prints JSON lines and bench timings", async () => {
    const lines = capture();
    await statetestCommand.run(["--json", "--bench", "2", `${EXAMPLES}/add11.json`]);
    const rec = JSON.parse(lines[0] ?? "{}") as { pass: boolean; gasUsed: string; timeNs: number };
    expect(rec.pass).toBe(true);
    expect(rec.gasUsed).toBe("43112");
    expect(rec.timeNs).toBeGreaterThan(0);
  });

  it("rejects a missing path with a usage error", async () => {
    await expect(statetestCommand.run([])).rejects.toSatisfy((e) => isFastEvmError(e, "CLI_USAGE"));
  });
});
