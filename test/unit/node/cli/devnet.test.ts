/**
 * `fastevm devnet` end to end with one validator process: first start lays out keys, committee and a datadir
 * from the devnet genesis, prints the validator's endpoints, runs for --duration and prints its head and
 * last commit index; a second start reuses the layout. Usage errors come back as CLI_USAGE.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { devnetCommand } from "../../../../node/cli/commands/devnet.ts";
import { REPO_ROOT } from "../../../utils/fixtures.ts";
import { tempDir } from "../../../utils/tempDatadir.ts";

const dir = tempDir("fastevm-devnet-cmd-");
afterAll(() => dir.remove());
const GENESIS = "0x7ab606cb590438e7b0874fa8ffcd80474c9313847611ff6bb327e3128b8134b0";

async function runDevnet(args: string[]): Promise<string> {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    expect(await devnetCommand.run(args)).toBe(0);
    return log.mock.calls.map((c) => String(c[0])).join("\n");
  } finally {
    log.mockRestore();
  }
}

describe("fastevm devnet", () => {
  it("runs a one-validator network for --duration, then reports its head and last commit", async () => {
    const datadir = join(dir.path, "net");
    const args = ["--validators", "1", "--datadir", datadir, "--duration", "3"];
    const out = await runDevnet(args);
    expect(out).toMatch(
      /validator-0 {2}engine http:\/\/127\.0\.0\.1:\d+ .* p2p \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo\S+ {2}tx http:\/\/127\.0\.0\.1:\d+\/tx/,
    );
    // no transactions were sent: the chain stays at genesis while consensus commits
    const m = /validator-0 {2}head #0 (0x[0-9a-f]{64}) {2}last commit (\d+) \(executed (\d+)\)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m![1]).toBe(GENESIS);
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(m![3]).toBe(m![2]);
    const layout = readFileSync(join(datadir, "devnet.json"), "utf8");

    // a restart reuses keys, ports and stores: commits continue past the first run's
    const again = await runDevnet(args);
    expect(readFileSync(join(datadir, "devnet.json"), "utf8")).toBe(layout);
    const m2 = /last commit (\d+)/.exec(again.split("running for")[1] ?? "");
    expect(Number(m2![1])).toBeGreaterThan(Number(m![2]));
  });

  it("rejects bad arguments and a layout of another size as usage errors", async () => {
    await expect(devnetCommand.run(["--bogus"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(devnetCommand.run(["--validators", "0"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(devnetCommand.run(["--duration", "-1"])).rejects.toMatchObject({ code: "CLI_USAGE" });
    await expect(
      devnetCommand.run(["--validators", "2", "--datadir", join(dir.path, "net"), "--duration", "1"]),
    ).rejects.toMatchObject({ code: "CLI_USAGE" });
  });

  it("stops cleanly on Ctrl-C under `pnpm devnet`: exit 0, no ELIFECYCLE, every validator's summary", async () => {
    // Ctrl-C in a terminal signals the whole foreground process group: pnpm, the devnet and (unless they
    // have their own group) the validators. The child gets its own group so the test signals only it.
    const child = spawn("pnpm", ["devnet", "--validators", "1", "--datadir", join(dir.path, "ctrl-c")], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let interrupted = false;
    const guard = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 100_000);
    const collect = (b: Buffer) => {
      out += b.toString();
      if (!interrupted && out.includes("running; Ctrl-C to stop")) {
        interrupted = true;
        setTimeout(() => process.kill(-child.pid!, "SIGINT"), 1000);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const [code, signal] = await new Promise<[number | null, string | null]>((done) =>
      child.once("close", (c, s) => done([c, s])),
    );
    clearTimeout(guard);
    expect(out).toContain("running; Ctrl-C to stop");
    expect(out).not.toMatch(/ELIFECYCLE|Command failed/);
    expect(out).toMatch(/validator-0 {2}head #0 0x[0-9a-f]{64} {2}last commit \d+/);
    expect([code, signal]).toEqual([0, null]);
  });
});
