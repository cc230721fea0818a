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
import { type CliCommand, type CommandSpec, defineCommand, usageError } from "../command.ts";

const SPEC: CommandSpec = {
  name: "init",
  summary: "write the genesis block and state of a genesis.json into a datadir",
  args: "GENESIS.json",
  description:
    "The genesis file is validated completely first (forks FastEVM does not implement are refused); a failure " +
    "leaves nothing behind.",
  options: [
    { name: "datadir", value: "DIR", required: true, help: "datadir to create (must not hold a database)" },
  ],
  example: "init --datadir .node node/core/chain/genesis/devnet.json",
};

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

export const initCommand: CliCommand = defineCommand(SPEC, async (args) => {
  if (args.positionals.length !== 1) throw usageError(SPEC, "expected one genesis file");
  const datadir = resolve(args.get("datadir")!);
  const genesisPath = args.positionals[0]!;
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
});
