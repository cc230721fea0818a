/**
 * `fastevm init --datadir DIR GENESIS.json`: validates the genesis file completely, then writes the genesis
 * block and state into a fresh datadir. Nothing is left half-written: the database is built in a temporary
 * directory inside DIR and renamed into place only once complete; on failure it (and DIR, if we created it)
 * is removed.
 */
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseGenesisText } from "../../core/chain/genesisJson.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import { buildGenesis, writeGenesis } from "../../state/genesis.ts";
import { lockDatadir } from "../../storage/datadirLock.ts";
import { CHAINDATA_DIR, openStorage } from "../../storage/storage.ts";
import type { CliCommand } from "../command.ts";

const USAGE = "usage: fastevm init --datadir DIR GENESIS.json";

function parseArgs(argv: readonly string[]): { datadir: string; genesisPath: string } {
  let datadir: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--datadir") {
      datadir = argv[++i];
      if (datadir === undefined)
        throw new FastEvmError(ErrorCode.CLI_USAGE, `--datadir needs a value\n${USAGE}`);
    } else if (a.startsWith("--datadir=")) {
      datadir = a.slice("--datadir=".length);
    } else if (a.startsWith("-")) {
      throw new FastEvmError(ErrorCode.CLI_USAGE, `unknown option ${a}\n${USAGE}`);
    } else {
      positional.push(a);
    }
  }
  if (datadir === undefined || datadir === "")
    throw new FastEvmError(ErrorCode.CLI_USAGE, `--datadir is required\n${USAGE}`);
  if (positional.length !== 1)
    throw new FastEvmError(ErrorCode.CLI_USAGE, `expected one genesis file\n${USAGE}`);
  return { datadir: resolve(datadir), genesisPath: positional[0]! };
}

function readGenesisFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new FastEvmError(
      ErrorCode.GENESIS_INVALID,
      `cannot read genesis file ${path}: ${(e as Error).message}`,
    );
  }
}

export const initCommand: CliCommand = {
  name: "init",
  summary: "write the genesis block and state of a genesis.json into a datadir",
  usage: USAGE,
  async run(argv) {
    const { datadir, genesisPath } = parseArgs(argv);
    // Validate everything (and compute the result) before touching the filesystem.
    const genesis = parseGenesisText(readGenesisFile(genesisPath));
    buildGenesis(genesis);
    const created = !existsSync(datadir);
    const lock = lockDatadir(datadir);
    const tmp = join(datadir, `.init-${process.pid}`);
    try {
      if (existsSync(join(datadir, CHAINDATA_DIR))) {
        throw new FastEvmError(
          ErrorCode.DATADIR_EXISTS,
          `datadir ${datadir} already holds a database (${CHAINDATA_DIR}/)`,
        );
      }
      const storage = openStorage(tmp, { lock: false });
      let built: Awaited<ReturnType<typeof writeGenesis>>;
      try {
        built = await writeGenesis(storage, genesis);
      } finally {
        await storage.close();
      }
      renameSync(join(tmp, CHAINDATA_DIR), join(datadir, CHAINDATA_DIR));
      rmSync(tmp, { recursive: true, force: true });
      lock.release();
      console.log(`genesis hash  ${bytesToHex(built.hash)}`);
      console.log(`state root    ${bytesToHex(built.stateRoot)}`);
      console.log(`chain id      ${genesis.config.chainId}`);
      console.log(`accounts      ${genesis.alloc.size}`);
      console.log(`datadir       ${datadir}`);
      return 0;
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (created) rmSync(datadir, { recursive: true, force: true });
      else lock.release();
      throw e;
    }
  },
};
