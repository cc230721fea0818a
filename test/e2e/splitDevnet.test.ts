/**
 * `fastevm devnet --split` with its consensus clients dialing each other by DNS name, as the compose
 * cluster's committee names them (`/dns4/consensus-i/tcp/9000`): a 2-pair layout whose committee addresses
 * are rewritten to `/dns4/localhost/tcp/PORT` commits (a committee of 2 commits only with both connected),
 * every process stops with exit 0 and a summary. E2E_SPLIT_DEVNET=0 skips it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FASTEVM_BIN } from "../../node/cli/devnetSetup.ts";
import { prepareSplitDevnet } from "../../node/cli/splitDevnet.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const dir = tempDir("fastevm-split-devnet-");
afterAll(() => dir.remove());

describe.skipIf(process.env.E2E_SPLIT_DEVNET === "0")("fastevm devnet --split", () => {
  it("commits with /dns4 committee addresses and stops every process cleanly", async () => {
    const root = join(dir.path, "devnet");
    const layout = await prepareSplitDevnet(root, 2);
    const text = readFileSync(layout.committee, "utf8");
    writeFileSync(layout.committee, text.replaceAll("/ip4/127.0.0.1/tcp/", "/dns4/localhost/tcp/"));
    expect(readFileSync(layout.committee, "utf8")).toContain("/dns4/localhost/tcp/");
    // spawnSync's timeout SIGTERMs the devnet, which stops the processes it started
    const r = spawnSync(
      process.execPath,
      [
        FASTEVM_BIN,
        "devnet",
        "--split",
        "--validators",
        "2",
        "--datadir",
        root,
        "--http.port",
        "0",
        "--duration",
        "6",
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const name of ["execution-0", "execution-1", "consensus-0", "consensus-1"])
      expect(r.stdout).toMatch(new RegExp(`^${name}  exit 0`, "m"));
    const commits = [...r.stdout.matchAll(/^consensus-\d {2}exit 0 {2}last commit index (\d+)/gm)].map((m) =>
      Number(m[1]),
    );
    expect(commits).toHaveLength(2);
    for (const c of commits) expect(c).toBeGreaterThan(5);
  }, 90_000);
});
