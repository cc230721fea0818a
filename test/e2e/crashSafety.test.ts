/**
 * Crash safety, for real: `fastevm import` runs as a child process on a generated chain (hundreds of blocks of
 * ETH and token transfers) and is killed with SIGKILL at seeded random moments, 20+ times. After every kill
 * the datadir must be consistent — the head's header, body, receipts, state diff, canonical entry, tx index
 * and trie root all present, nothing committed past the head, the flat state equal to the trie at the head's
 * state root — and a final run must reach the same head and flat state as an uninterrupted import.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seededRandom } from "../../node/chain/chainGenerator.ts";
import { ChainStore } from "../../node/chain/chainStore.ts";
import { startChainPools } from "../../node/cli/chainWorkers.ts";
import { initCommand } from "../../node/cli/commands/init.ts";
import { headerHash } from "../../node/core/block/header.ts";
import { equalBytes } from "../../node/core/bytes.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { StateTrie } from "../../node/state/stateTrie.ts";
import { u64Key } from "../../node/storage/keys.ts";
import { openStorage } from "../../node/storage/storage.ts";
import { TrieNodeStore } from "../../node/storage/trieNodeStore.ts";
import { dumpFlatState } from "../utils/devChain.ts";
import { REPO_ROOT } from "../utils/fixtures.ts";
import { type ChainFiles, writeGeneratedChain } from "../utils/generatedChainFiles.ts";
import { tempDir } from "../utils/tempDatadir.ts";

const BLOCKS = 260;
const MIN_KILLS = 20;
/** the kill loop stops starting new iterations after this long (MIN_KILLS must be done by then) */
const LOOP_BUDGET_MS = 150_000;

const dir = tempDir("fastevm-crash-");
let files: ChainFiles;

function startImport(
  datadir: string,
  output: "ignore" | "pipe" = "ignore",
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(
    process.execPath,
    ["--import", "tsx", "node/cli/main.ts", "import", "--datadir", datadir, files.chain],
    { cwd: REPO_ROOT, stdio: ["ignore", output, output], env: { ...process.env, ...env } },
  );
}

/** The last run's reference state: head hash and the whole flat state. */
async function finalState(d: string): Promise<{ head: string; flat: unknown }> {
  const s = openStorage(d);
  try {
    return { head: bytesToHex(new ChainStore(s).head().hash), flat: dumpFlatState(s) };
  } finally {
    await s.close();
  }
}

/** Exit code, or the signal's name when the child was killed. */
function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((res) => {
    const done = (): void => res(child.exitCode ?? child.signalCode ?? "unknown");
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once("exit", done);
  });
}

/** The head number of a datadir another process is writing (read-only, no lock); 0 before genesis. */
async function headOf(datadir: string): Promise<bigint> {
  const storage = openStorage(datadir, { readOnly: true, lock: false });
  try {
    return new ChainStore(storage).head().header.number;
  } finally {
    await storage.close();
  }
}

/** Every consistency rule of a datadir after a crash; returns the head number. */
async function checkConsistent(datadir: string): Promise<bigint> {
  const storage = openStorage(datadir);
  try {
    const store = new ChainStore(storage);
    const head = store.head();
    const n = head.header.number;
    const body = store.body(head.hash);
    expect(body).toBeDefined();
    expect(store.receipts(head.hash)?.length).toBe(body!.transactions.length);
    expect(equalBytes(store.canonicalHash(n)!, head.hash)).toBe(true);
    expect(store.canonicalHash(n + 1n)).toBeUndefined();
    if (n > 0n) {
      expect(store.stateDiff(head.hash)).toBeDefined();
      expect(equalBytes(headerHash(files.blocks[Number(n) - 1]!.header), head.hash)).toBe(true);
    }
    body!.transactions.forEach((raw, index) => {
      const loc = store.txLocation(keccak256(raw));
      expect(loc?.index).toBe(index);
      expect(equalBytes(loc!.blockHash, head.hash)).toBe(true);
    });
    expect(storage.tables.trieNodes.doesExist(head.header.stateRoot)).toBe(true);
    const trie = await StateTrie.open(TrieNodeStore.forStorage(storage), head.header.stateRoot);
    for (const key of storage.tables.accounts.getKeys()) {
      const address = new Uint8Array(key);
      const fromTrie = await trie.getAccount(address);
      expect(fromTrie).toBeDefined();
      expect(store.account(address)).toEqual(fromTrie);
    }
    expect(storage.tables.canonical.get(u64Key(n))).toBeDefined();
    return n;
  } finally {
    await storage.close();
  }
}

beforeAll(async () => {
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
  const pools = startChainPools();
  try {
    // the generator imports every block it builds, uninterrupted: its datadir is the reference
    files = await writeGeneratedChain(
      dir.path,
      { blocks: BLOCKS, txsPerBlock: 40, kind: "mixed", seed: 42, datadir: join(dir.path, "reference") },
      pools,
    );
  } finally {
    await pools.close();
  }
}, 120_000);
afterAll(() => {
  vi.restoreAllMocks();
  dir.remove();
});

describe("crash safety of fastevm import", () => {
  it("survives SIGKILL at random moments and ends at the uninterrupted head", {
    timeout: 300_000,
  }, async () => {
    const datadir = join(dir.path, "crashed");
    expect(await initCommand.run(["--datadir", datadir, files.genesis])).toBe(0);
    const rand = seededRandom(20260);
    const t0 = performance.now();
    let kills = 0;
    let last = 0n;
    const heads: bigint[] = [];
    // Each run is killed at a random moment (0–150 ms; with recovery ahead and the hot trie, 0–300 ms let the
    // import finish all blocks in 18 runs, fewer than MIN_KILLS; 0–150 ms: 20 kills by block ~140 of 260)
    // after it has committed a block past the last head
    // (read from the datadir read-only while the child writes), so every kill lands mid-import whatever
    // the machine's start-up time.
    while (kills < MIN_KILLS && performance.now() - t0 < LOOP_BUDGET_MS) {
      const child = startImport(datadir);
      while (child.exitCode === null && (await headOf(datadir)) <= last)
        await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 150)));
      const finished = child.exitCode !== null;
      child.kill("SIGKILL");
      await exited(child);
      if (!finished) kills++;
      const n = await checkConsistent(datadir);
      expect(n).toBeGreaterThanOrEqual(last);
      last = n;
      heads.push(n);
      if (n === BigInt(BLOCKS)) break;
    }
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    // the kills landed mid-import: the head moved across several of them
    expect(new Set(heads).size).toBeGreaterThan(3);

    const finalRun = startImport(datadir, "pipe");
    let output = "";
    finalRun.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    finalRun.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const code = await exited(finalRun);
    expect(code, output).toBe(0);
    expect(await checkConsistent(datadir)).toBe(BigInt(BLOCKS));

    expect(await finalState(datadir)).toEqual(await finalState(join(dir.path, "reference")));
    console.info(`crash test: ${kills} kills, heads ${heads.join(",")}`);
  });

  // reliability matrix row 1 (kill -9 during block import/commit), at the state-root step: the process dies
  // with block N executed and its trie half updated in the execute worker, N's root not yet computed
  it("survives SIGKILL in the middle of a block's state-root computation, losing nothing committed", {
    timeout: 180_000,
  }, async () => {
    const datadir = join(dir.path, "killed-in-state-root");
    expect(await initCommand.run(["--datadir", datadir, files.genesis])).toBe(0);
    let last = 0n;
    const heads: string[] = [];
    for (const n of [20, 75, 140, 200, 255]) {
      const child = startImport(datadir, "ignore", { FASTEVM_KILL_IN_STATE_ROOT: String(n) });
      expect(await exited(child)).toBe("SIGKILL");
      const head = await checkConsistent(datadir);
      // everything committed before the kill is there; block n never was (its root was never finished)
      expect(head).toBeGreaterThanOrEqual(last);
      expect(head).toBeLessThan(BigInt(n));
      last = head;
      heads.push(`${n}→${head}`);
    }
    // the kills came late in each run: most of the blocks before n were committed
    expect(last).toBeGreaterThan(200n);
    const code = await exited(startImport(datadir));
    expect(code).toBe(0);
    expect(await checkConsistent(datadir)).toBe(BigInt(BLOCKS));
    expect(await finalState(datadir)).toEqual(await finalState(join(dir.path, "reference")));
    console.info(`state-root kills (block killed → head after restart): ${heads.join(", ")}`);
  });
});
