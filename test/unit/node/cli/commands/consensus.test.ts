/**
 * `fastevm consensus` end to end in-process: keys → committee of one validator → the validator commits
 * over its own libp2p host and LMDB store; a second run resumes after the stored commits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { committeeCommand } from "../../../../../node/cli/commands/committee.ts";
import { consensusCommand } from "../../../../../node/cli/commands/consensus.ts";
import { keysCommand } from "../../../../../node/cli/commands/keys.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});

async function capture(run: () => Promise<number>): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const code = await run();
  vi.restoreAllMocks();
  return { code, out };
}

describe("fastevm consensus", () => {
  it("a one-validator committee commits, and a restart continues from the LMDB store", async () => {
    const root = mkdtempSync(join(tmpdir(), "fastevm-consensus-"));
    dirs.push(root);
    const keys = join(root, "keys");
    await capture(() => keysCommand.run(["--out", keys]));
    const committee = join(root, "committee.json");
    await capture(() => committeeCommand.run(["--out", committee, `${keys}:1:/ip4/127.0.0.1/tcp/0`]));
    const args = [
      "--committee",
      committee,
      "--keys",
      keys,
      "--datadir",
      join(root, "data"),
      "--duration",
      "1.2",
    ];
    const first = await capture(() => consensusCommand.run(args));
    expect(first.code).toBe(0);
    const commitLines = first.out.filter((l) => l.startsWith("commit "));
    expect(commitLines.length).toBeGreaterThan(3);
    expect(commitLines[0]).toMatch(/^commit 1 leader /);
    const last1 = Number(/last commit index (\d+)/.exec(first.out.join("\n"))![1]);
    expect(last1).toBe(commitLines.length);
    const second = await capture(() => consensusCommand.run(args));
    const resumed = second.out.filter((l) => l.startsWith("commit "));
    expect(resumed[0]).toMatch(new RegExp(`^commit ${last1 + 1} leader `));
    // transactions go to the execution node's pool now: the old flag is refused
    await expect(consensusCommand.run([...args, "--tx-listen", "127.0.0.1:0"])).rejects.toThrow(/tx-listen/);
    await expect(consensusCommand.run(["--committee", committee])).rejects.toThrow(/required/);
    await expect(consensusCommand.run([...args, "--execution-url", "http://x"])).rejects.toThrow(
      /go together/,
    );
    // the chain's fee-recipient rule: "leader" or a 20-byte address, named in the refusal
    await expect(consensusCommand.run([...args, "--fee-recipient", "0x1234"])).rejects.toThrow(
      /--fee-recipient must be "leader" or a 0x-prefixed 20-byte hex address, got "0x1234"/,
    );
  });
});
