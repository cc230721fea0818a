/** `fastevm init`: writes a datadir and prints the genesis; malformed input leaves nothing behind. */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { initCommand } from "../../../../../node/cli/commands/init.ts";
import { DEVNET_GENESIS_PATH } from "../../../../../node/core/chain/devnet.ts";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { openStorage } from "../../../../../node/storage/storage.ts";
import { META_KEYS } from "../../../../../node/storage/tables.ts";
import { tempDir } from "../../../../utils/tempDatadir.ts";

const dirs: { remove(): void }[] = [];
function scratch(): string {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
  vi.restoreAllMocks();
});

async function runInit(argv: string[]): Promise<{ code?: number; error?: unknown; out: string }> {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    return { code: await initCommand.run(argv), out: lines.join("\n") };
  } catch (error) {
    return { error, out: lines.join("\n") };
  }
}

describe("fastevm init", () => {
  it("initializes a datadir from the devnet genesis and prints hash and state root", async () => {
    const datadir = join(scratch(), "dd");
    const r = await runInit(["--datadir", datadir, DEVNET_GENESIS_PATH]);
    expect(r.code).toBe(0);
    const hash = /genesis hash\s+(0x[0-9a-f]{64})/.exec(r.out)?.[1];
    expect(r.out).toMatch(/state root\s+0x[0-9a-f]{64}/);
    expect(readdirSync(datadir)).toEqual(["chaindata"]);
    const storage = openStorage(datadir);
    try {
      expect(bytesToHex(storage.tables.meta.get(new TextEncoder().encode(META_KEYS.genesisHash))!)).toBe(
        hash,
      );
    } finally {
      await storage.close();
    }
    const again = await runInit([`--datadir=${datadir}`, DEVNET_GENESIS_PATH]);
    expect(isFastEvmError(again.error, ErrorCode.DATADIR_EXISTS)).toBe(true);
  });

  it("rejects a malformed genesis with a typed error and writes nothing", async () => {
    const dir = scratch();
    const cases: [string, string][] = [
      ["{ broken", "not valid JSON"],
      [JSON.stringify({ config: { chainId: 1 }, alloc: { "0x1234": {} } }), "alloc address"],
      [JSON.stringify({ config: { chainId: 1, londonBlock: 9, berlinBlock: 10 }, alloc: {} }), "londonBlock"],
      [
        JSON.stringify({
          config: {
            chainId: 1,
            londonBlock: 0,
            terminalTotalDifficulty: 0,
            shanghaiTime: 0,
            cancunTime: 0,
            pragueTime: 0,
          },
          alloc: {},
        }),
        "pragueTime schedules a fork FastEVM does not implement",
      ],
      [JSON.stringify({ config: { chainId: 1 }, alloc: {}, gasLimit: "huge" }), "gasLimit"],
    ];
    for (const [i, [text, mention]] of cases.entries()) {
      const file = join(dir, `bad${i}.json`);
      writeFileSync(file, text);
      const datadir = join(dir, `dd${i}`);
      const r = await runInit(["--datadir", datadir, file]);
      expect(isFastEvmError(r.error, ErrorCode.GENESIS_INVALID), String(r.error)).toBe(true);
      expect((r.error as Error).message).toContain(mention);
      expect(existsSync(datadir)).toBe(false);
    }
  });

  it("reports usage errors", async () => {
    for (const argv of [
      [],
      ["genesis.json"],
      ["--datadir"],
      ["--datadir", "x"],
      ["--bogus", "--datadir", "x", "g.json"],
    ]) {
      const r = await runInit(argv);
      expect(isFastEvmError(r.error, ErrorCode.CLI_USAGE), JSON.stringify(argv)).toBe(true);
    }
    const missing = await runInit(["--datadir", join(scratch(), "dd"), "/nonexistent/genesis.json"]);
    expect(isFastEvmError(missing.error, ErrorCode.GENESIS_INVALID)).toBe(true);
  });
});
