/**
 * `fastevm import --datadir DIR FILE.rlp`: imports a geth-format chain file into an initialized datadir,
 * block by block through the chain (each valid block one LMDB commit). Blocks already present are skipped;
 * the first invalid block stops the import with its number, hash and reason, keeping everything before it.
 * A progress line (blocks, Mgas/s, tx/s, ETA) goes to stderr once a second.
 */
import { resolve } from "node:path";
import { Chain } from "../../chain/chain.ts";
import { readChainFile } from "../../chain/chainFile.ts";
import { type Block, decodeBlock } from "../../core/block/block.ts";
import { headerHash } from "../../core/block/header.ts";
import { ErrorCode, FastEvmError, isFastEvmError, isValidationError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import { openStorage } from "../../storage/storage.ts";
import { startChainPools } from "../chainWorkers.ts";
import type { CliCommand } from "../command.ts";

const USAGE = "usage: fastevm import --datadir DIR FILE.rlp";

export function parseDatadirArgs(
  argv: readonly string[],
  usage: string,
): { datadir: string; positional: string[] } {
  let datadir: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--datadir") datadir = argv[++i];
    else if (a.startsWith("--datadir=")) datadir = a.slice("--datadir=".length);
    else if (a.startsWith("-") && !/^-?\d+$/.test(a))
      throw new FastEvmError(ErrorCode.CLI_USAGE, `unknown option ${a}\n${usage}`);
    else positional.push(a);
  }
  if (datadir === undefined || datadir === "")
    throw new FastEvmError(ErrorCode.CLI_USAGE, `--datadir is required\n${usage}`);
  return { datadir: resolve(datadir), positional };
}

export const importCommand: CliCommand = {
  name: "import",
  summary: "import a geth-format RLP chain file (blocks executed and committed one by one)",
  usage: USAGE,
  async run(argv) {
    const { datadir, positional } = parseDatadirArgs(argv, USAGE);
    if (positional.length !== 1)
      throw new FastEvmError(ErrorCode.CLI_USAGE, `expected one chain file\n${USAGE}`);
    const file = positional[0]!;
    let total = 0;
    for (const _ of readChainFile(file)) total++;
    const storage = openStorage(datadir);
    const pools = startChainPools();
    let imported = 0;
    let known = 0;
    let gas = 0n;
    let txs = 0;
    const t0 = performance.now();
    let lastReport = t0;
    try {
      const chain = new Chain(storage, pools);
      let index = 0;
      for (const { raw, offset } of readChainFile(file)) {
        index++;
        let block: Block;
        try {
          block = decodeBlock(raw);
        } catch (e) {
          if (!isFastEvmError(e)) throw e;
          console.error(`invalid block ${index} at byte ${offset}: ${e.message}`);
          return 1;
        }
        try {
          const r = await chain.importBlock(block);
          if (r.status === "known") known++;
          else {
            imported++;
            gas += r.gasUsed;
            txs += r.txCount;
          }
        } catch (e) {
          // an invalid block, or one that does not connect to what was imported so far
          if (!isValidationError(e) && !isFastEvmError(e, ErrorCode.BLOCK_UNKNOWN_PARENT)) throw e;
          const h = block.header;
          console.error(`invalid block #${h.number} ${bytesToHex(headerHash(h))}: ${e.code}: ${e.message}`);
          const head = chain.head();
          console.error(`head stays at #${head.header.number} ${bytesToHex(head.hash)}`);
          return 1;
        }
        const now = performance.now();
        if (now - lastReport >= 1000) {
          lastReport = now;
          const s = (now - t0) / 1000;
          const rate = (imported + known) / s;
          const eta = rate > 0 ? (total - index) / rate : 0;
          console.error(
            `import: ${index}/${total} blocks, ${(Number(gas) / 1e6 / s).toFixed(1)} Mgas/s, ${(txs / s).toFixed(0)} tx/s, ETA ${eta.toFixed(0)}s`,
          );
        }
      }
      const s = (performance.now() - t0) / 1000;
      const head = chain.head();
      console.log(
        `imported ${imported} blocks (${known} already present), ${txs} txs in ${s.toFixed(2)}s, ${(Number(gas) / 1e6 / Math.max(s, 1e-9)).toFixed(1)} Mgas/s`,
      );
      console.log(
        `head #${head.header.number} ${bytesToHex(head.hash)} state root ${bytesToHex(head.header.stateRoot)}`,
      );
      return 0;
    } finally {
      await pools.close();
      await storage.close();
    }
  },
};
