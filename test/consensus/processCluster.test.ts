/**
 * Four `fastevm consensus` processes on loopback (real libp2p, real LMDB): they commit the same sequence;
 * one is SIGKILLed (no clean shutdown) and the other three keep committing; restarted on its datadir it
 * resumes at the next commit index, catches up, never signs two blocks for one round, and agrees on every
 * commit. About 10 s; CONSENSUS_PROCESS_TEST=0 skips it, DEBUG_PROCESS_TEST=1 prints progress.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { committeeCommand } from "../../node/cli/commands/committee.ts";
import { keysCommand } from "../../node/cli/commands/keys.ts";
import { reserveFreePort } from "../../node/cli/devnetSetup.ts";
import { LmdbConsensusStore } from "../../node/consensus/lmdbStore.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { REPO_ROOT } from "../utils/fixtures.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const N = 4;
const dir = tempDir("fastevm-processes-");
const children: ChildProcess[] = [];

/** Commit lines seen per validator (across restarts): index → digest. */
const seen = Array.from({ length: N }, () => new Map<number, string>());

function launch(i: number): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "node/cli/main.ts",
      "consensus",
      "--committee",
      join(dir.path, "committee.json"),
      "--keys",
      join(dir.path, `k${i}`),
      "--datadir",
      join(dir.path, `d${i}`),
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  let buf = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buf += chunk;
    const lines = buf.split("\n");
    buf = lines.pop()!;
    for (const l of lines) {
      const m = /^commit (\d+) leader \S+ blocks \d+ txs \d+ (0x[0-9a-f]+)/.exec(l);
      if (m === null) continue;
      const index = Number(m[1]);
      if (seen[i]!.has(index)) throw new Error(`validator ${i} executed commit ${index} twice`);
      seen[i]!.set(index, m[2]!);
    }
  });
  children.push(child);
  return child;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  if (process.env.DEBUG_PROCESS_TEST === "1")
    console.error("progress", seen.map((_, i) => maxIndex(i)).join(","));
  return cond();
}

const maxIndex = (i: number) => Math.max(0, ...seen[i]!.keys());

describe.skipIf(process.env.CONSENSUS_PROCESS_TEST === "0")("4 fastevm consensus processes", () => {
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    dir.remove();
  });

  it("agree, survive a SIGKILL of one, and the killed one resumes where it stopped", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    for (let i = 0; i < N; i++) await keysCommand.run(["--out", join(dir.path, `k${i}`)]);
    // distinct free ports below the ephemeral range, as the devnet picks them (no clash with parallel tests)
    const reserved = new Set<number>();
    const ports: number[] = [];
    for (let i = 0; i < N; i++) ports.push(await reserveFreePort(reserved));
    await committeeCommand.run([
      "--out",
      join(dir.path, "committee.json"),
      ...ports.map((port, i) => `${join(dir.path, `k${i}`)}:1:/ip4/127.0.0.1/tcp/${port}`),
    ]);
    vi.restoreAllMocks();
    const procs = Array.from({ length: N }, (_, i) => launch(i));
    expect(await until(() => seen.every((_, i) => maxIndex(i) >= 20), 60_000)).toBe(true);

    procs[3]!.kill("SIGKILL");
    await new Promise((r) => procs[3]!.once("exit", r));
    const killedAt = maxIndex(3);
    const othersAt = maxIndex(0);
    expect(await until(() => maxIndex(0) >= othersAt + 15, 30_000)).toBe(true);

    launch(3);
    const target = maxIndex(0) + 10;
    expect(await until(() => maxIndex(3) >= target, 60_000)).toBe(true);
    // resumed at the next index (nothing executed twice: `seen` would have thrown). A commit may be missing
    // from the printed lines only right after the last line before the kill: stored, but its line still in
    // the stdout pipe when SIGKILL came (checked against the store below).
    const unprinted: number[] = [];
    for (let k = 1; k <= maxIndex(3); k++) if (!seen[3]!.has(k)) unprinted.push(k);
    for (const k of unprinted) expect(k > killedAt && k <= killedAt + 3, `commit ${k}`).toBe(true);
    expect(killedAt).toBeGreaterThan(0);
    // every commit index any two validators printed has the same digest
    for (let i = 1; i < N; i++) {
      for (const [k, d] of seen[i]!)
        if (seen[0]!.has(k)) expect(d, `validator ${i} commit ${k}`).toBe(seen[0]!.get(k));
    }
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(
      children.map(
        (c) =>
          new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r))),
      ),
    );
    // no validator ever signed two blocks for one round
    for (let i = 0; i < N; i++) {
      const storage = openStorage(join(dir.path, `d${i}`), { readOnly: true, lock: false });
      const rounds = new LmdbConsensusStore(storage)
        .scanBlocks(1)
        .filter((b) => b.author === i)
        .map((b) => b.round);
      expect(new Set(rounds).size, `validator ${i}`).toBe(rounds.length);
      if (i === 3)
        for (const k of unprinted)
          expect(new LmdbConsensusStore(storage).readCommits(k, k), `stored commit ${k}`).toHaveLength(1);
      await storage.close();
    }
  });
});
