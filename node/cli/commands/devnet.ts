/**
 * `fastevm devnet`: the one-command local network. Today it prepares the devnet's datadir from the sample
 * genesis (node/core/chain/genesis/devnet.json) and prints its genesis hash, state root and head; the
 * consensus issue grows it into N validators on loopback.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { decodeHeader, headerHash } from "../../core/block/header.ts";
import { DEVNET_GENESIS_PATH } from "../../core/chain/devnet.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import { metaKey } from "../../storage/keys.ts";
import { CHAINDATA_DIR, openStorage, readBytes } from "../../storage/storage.ts";
import { META_KEYS } from "../../storage/tables.ts";
import type { CliCommand } from "../command.ts";
import { initCommand } from "./init.ts";

const USAGE = "usage: fastevm devnet [--datadir DIR]   (default DIR: .devnet)";

async function printHead(datadir: string): Promise<void> {
  const storage = openStorage(datadir);
  try {
    const head = readBytes(storage.tables.meta, metaKey(META_KEYS.headHash));
    const genesis = readBytes(storage.tables.meta, metaKey(META_KEYS.genesisHash));
    if (head === undefined || genesis === undefined) {
      throw new FastEvmError(ErrorCode.STORAGE, `datadir ${datadir} has no head: was init interrupted?`);
    }
    const raw = readBytes(storage.tables.headers, head);
    if (raw === undefined)
      throw new FastEvmError(ErrorCode.STORAGE, `head header ${bytesToHex(head)} is missing`);
    const header = decodeHeader(raw);
    console.log(`genesis hash  ${bytesToHex(genesis)}`);
    console.log(`head          #${header.number} ${bytesToHex(headerHash(header))}`);
    console.log(`state root    ${bytesToHex(header.stateRoot)}`);
    console.log(`datadir       ${datadir}`);
  } finally {
    await storage.close();
  }
}

export const devnetCommand: CliCommand = {
  name: "devnet",
  summary: "prepare and describe the local devnet (sample genesis, chain id 20256)",
  usage: USAGE,
  async run(argv) {
    let datadir = ".devnet";
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === "--datadir" && argv[i + 1] !== undefined) datadir = argv[++i]!;
      else throw new FastEvmError(ErrorCode.CLI_USAGE, `unknown argument ${a}\n${USAGE}`);
    }
    datadir = resolve(datadir);
    if (!existsSync(join(datadir, CHAINDATA_DIR))) {
      console.log(`initialising the devnet datadir from ${DEVNET_GENESIS_PATH}`);
      const rc = await initCommand.run(["--datadir", datadir, DEVNET_GENESIS_PATH]);
      if (rc !== 0) return rc;
      return 0;
    }
    await printHead(datadir);
    return 0;
  },
};
