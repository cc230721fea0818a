/**
 * `fastevm import` / `fastevm export` in-process on a generated chain: a round trip into a fresh datadir
 * gives the same head hash, state root and flat state; re-importing present blocks is a no-op; an invalid
 * block stops the import at its parent, and a later import of the good file completes.
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeChainFile } from "../../../../../node/chain/chainFile.ts";
import { ChainStore } from "../../../../../node/chain/chainStore.ts";
import { startChainPools } from "../../../../../node/cli/chainWorkers.ts";
import { exportCommand } from "../../../../../node/cli/commands/export.ts";
import { importCommand } from "../../../../../node/cli/commands/import.ts";
import { initCommand } from "../../../../../node/cli/commands/init.ts";
import { encodeBlock } from "../../../../../node/core/block/block.ts";
import { headerHash } from "../../../../../node/core/block/header.ts";
import { isFastEvmError } from "../../../../../node/core/errors.ts";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { openStorage } from "../../../../../node/storage/storage.ts";
import { dumpFlatState } from "../../../../utils/devChain.ts";
import { type ChainFiles, writeGeneratedChain } from "../../../../utils/generatedChainFiles.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

const dir = tempDir();
let files: ChainFiles;

async function headOf(
  datadir: string,
): Promise<{ hash: string; number: bigint; stateRoot: string; flat: string[] }> {
  const storage = openStorage(datadir);
  try {
    const head = new ChainStore(storage).head();
    return {
      hash: bytesToHex(head.hash),
      number: head.header.number,
      stateRoot: bytesToHex(head.header.stateRoot),
      flat: dumpFlatState(storage),
    };
  } finally {
    await storage.close();
  }
}

async function initDatadir(name: string): Promise<string> {
  const d = join(dir.path, name);
  expect(await initCommand.run(["--datadir", d, files.genesis])).toBe(0);
  return d;
}

beforeAll(async () => {
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
  const pools = startChainPools();
  try {
    files = await writeGeneratedChain(
      dir.path,
      { blocks: 24, txsPerBlock: 8, kind: "mixed", seed: 7 },
      pools,
    );
  } finally {
    await pools.close();
  }
});
afterAll(() => {
  vi.restoreAllMocks();
  dir.remove();
});

describe("fastevm import / export", () => {
  it("round-trips a chain into a fresh datadir with the same head and state", async () => {
    const d1 = await initDatadir("one");
    expect(await importCommand.run(["--datadir", d1, files.chain])).toBe(0);
    const h1 = await headOf(d1);
    expect(h1.hash).toBe(bytesToHex(headerHash(files.blocks.at(-1)!.header)));
    expect(h1.number).toBe(24n);
    // present blocks are a no-op
    expect(await importCommand.run(["--datadir", d1, files.chain])).toBe(0);
    expect(await headOf(d1)).toEqual(h1);

    const out = join(dir.path, "export.rlp");
    expect(await exportCommand.run(["--datadir", d1, out])).toBe(0);
    const d2 = await initDatadir("two");
    expect(await importCommand.run(["--datadir", d2, out])).toBe(0);
    expect(await headOf(d2)).toEqual(h1);

    const part = join(dir.path, "part.rlp");
    expect(await exportCommand.run(["--datadir", d1, part, "3", "5"])).toBe(0);
    const d3 = await initDatadir("three");
    // blocks 3..5 without 1..2: the first has an unknown parent
    expect(await importCommand.run(["--datadir", d3, part])).toBe(1);
  });

  it("stops at an invalid block, keeping everything before it", async () => {
    const bad = files.blocks.map((b, i) =>
      i === 10 ? { ...b, header: { ...b.header, stateRoot: keccak256(new Uint8Array([i])) } } : b,
    );
    const badFile = join(dir.path, "bad.rlp");
    writeChainFile(badFile, bad.map(encodeBlock));
    const d = await initDatadir("bad");
    expect(await importCommand.run(["--datadir", d, badFile])).toBe(1);
    const h = await headOf(d);
    expect(h.number).toBe(10n);
    expect(h.hash).toBe(bytesToHex(headerHash(files.blocks[9]!.header)));
    expect(await importCommand.run(["--datadir", d, files.chain])).toBe(0);
    expect((await headOf(d)).number).toBe(24n);
  });

  it("refuses an uninitialized datadir and leaves nothing behind", async () => {
    const absent = join(dir.path, "never-initialized");
    const empty = join(dir.path, "empty");
    mkdirSync(empty);
    for (const d of [absent, empty]) {
      await expect(importCommand.run(["--datadir", d, files.chain])).rejects.toSatisfy(
        (e) =>
          isFastEvmError(e, "NOT_FOUND") &&
          /is not initialized .*run fastevm init/.test((e as Error).message),
      );
      await expect(exportCommand.run(["--datadir", d, join(dir.path, "out.rlp")])).rejects.toSatisfy((e) =>
        isFastEvmError(e, "NOT_FOUND"),
      );
    }
    expect(existsSync(absent)).toBe(false);
    expect(readdirSync(empty)).toEqual([]);
  });
});
