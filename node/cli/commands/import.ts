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
import { ErrorCode, type FastEvmError, isFastEvmError, isValidationError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import { openStorage } from "../../storage/storage.ts";
import { startChainPools } from "../chainWorkers.ts";
import { type CliCommand, type CliOption, type CommandSpec, defineCommand, usageError } from "../command.ts";

/** The `--datadir` option of the commands that work on an initialized datadir. */
export const DATADIR_OPTION: CliOption = {
  name: "datadir",
  value: "DIR",
  required: true,
  help: "an initialized datadir (fastevm init)",
};

const SPEC: CommandSpec = {
  name: "import",
  summary: "import a geth-format RLP chain file (blocks executed and committed one by one)",
  args: "FILE.rlp",
  description:
    "Blocks already present are skipped; the first invalid block stops the import with its number, hash and " +
    "reason, keeping everything before it. An uninitialized datadir is refused and left untouched.",
  options: [DATADIR_OPTION],
  example: "import --datadir .node chain.rlp",
};

export const importCommand: CliCommand = defineCommand(SPEC, async (args) => {
  const positional = args.positionals;
  if (positional.length !== 1) throw usageError(SPEC, "expected one chain file");
  const datadir = resolve(args.get("datadir")!);
  const file = positional[0]!;
  let total = 0;
  for (const _ of readChainFile(file)) total++;
  const storage = openStorage(datadir, { mustExist: true });
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
    // decoded one block ahead, so that the next block's senders recover while this one executes
    const blocks = decodedBlocks(file)[Symbol.iterator]();
    for (let cur = blocks.next(); !cur.done; ) {
      index++;
      const { offset } = cur.value;
      if ("error" in cur.value) {
        console.error(`invalid block ${index} at byte ${offset}: ${cur.value.error.message}`);
        return 1;
      }
      const block = cur.value.block;
      cur = blocks.next();
      if (!cur.done && "block" in cur.value) chain.recoverAhead(cur.value.block);
      try {
        const r = await chain.importBlock(block);
        if (r.status === "known") known++;
        else {
          imported++;
          gas += r.gasUsed;
          txs += r.txCount;
        }
      } catch (e) {
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
});

/** The file's blocks decoded, in order; a block that does not decode is yielded as its error. */
function* decodedBlocks(
  file: string,
): Generator<
  { readonly offset: number } & ({ readonly block: Block } | { readonly error: FastEvmError<string> })
> {
  for (const { raw, offset } of readChainFile(file)) {
    try {
      yield { offset, block: decodeBlock(raw) };
    } catch (e) {
      if (!isFastEvmError(e)) throw e;
      yield { offset, error: e };
    }
  }
}
