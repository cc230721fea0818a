import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { statetestCommand } from "../../../../../node/cli/commands/statetest.ts";
import { isFastEvmError } from "../../../../../node/core/errors.ts";
import { REPO_ROOT } from "../../../../utils/fixtures.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

const EXAMPLES = new URL(
  "../../../../../../shared/fixtures/ethereum-tests/GeneralStateTests/stExample",
  import.meta.url,
).pathname;

function capture(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((s: unknown) => void lines.push(String(s)));
  return lines;
}

const scratch = tempDir();
afterAll(() => scratch.remove());

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

  it("refuses a fork the EVM does not implement, before running anything", async () => {
    const lines = capture();
    for (const fork of ["Bogus", "Prague"]) {
      await expect(statetestCommand.run(["--fork", fork, EXAMPLES])).rejects.toSatisfy(
        (e) => isFastEvmError(e, "CLI_USAGE") && /unsupported fork .*Cancun only/.test((e as Error).message),
      );
    }
    expect(lines).toEqual([]);
  });

  it("fails when no case of the fork ran, naming the forks the files hold", async () => {
    const add11 = JSON.parse(readFileSync(`${EXAMPLES}/add11.json`, "utf8")) as Record<
      string,
      { post: Record<string, unknown> }
    >;
    for (const t of Object.values(add11)) t.post = { Prague: t.post.Cancun };
    const file = join(scratch.path, "prague-only.json");
    writeFileSync(file, JSON.stringify(add11));
    const lines = capture();
    await expect(statetestCommand.run([file])).rejects.toSatisfy(
      (e) =>
        isFastEvmError(e, "NO_TEST_CASES") && /no Cancun cases ran .*only Prague/.test((e as Error).message),
    );
    expect(lines.at(-1)).toBe("0 passed, 0 failed");
    await expect(statetestCommand.run([scratch.path.concat("/no-json-here")])).rejects.toSatisfy((e) =>
      isFastEvmError(e, "CLI_USAGE"),
    );
  });

  it("gives a typed error, not a stack trace, on a JSON file that is not a state test (real process)", () => {
    const notFixture = join(scratch.path, "not-a-fixture.json");
    writeFileSync(notFixture, JSON.stringify({ name: "x", version: "1" }));
    const garbage = join(scratch.path, "garbage.json");
    writeFileSync(garbage, "{ not json");
    for (const [file, why] of [
      [notFixture, /error \[FIXTURE_INVALID\]: .*not-a-fixture\.json is not a GeneralStateTests file/],
      [garbage, /error \[FIXTURE_INVALID\]: .*garbage\.json is not JSON/],
    ] as const) {
      const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin/fastevm.js"), "statetest", file], {
        encoding: "utf8",
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
