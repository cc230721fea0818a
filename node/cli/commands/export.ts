/**
 * `fastevm export --datadir DIR FILE.rlp [FROM TO]`: writes the canonical blocks FROM..TO (default: genesis to
 * head) as a geth-format chain file (concatenated RLP blocks), readable by `fastevm import` and `geth import`.
 */
import { resolve } from "node:path";
import { writeChainFile } from "../../chain/chainFile.ts";
import { ChainStore } from "../../chain/chainStore.ts";
import { encodeBlock } from "../../core/block/block.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { openStorage } from "../../storage/storage.ts";
import { type CliCommand, type CommandSpec, defineCommand, usageError } from "../command.ts";
import { DATADIR_OPTION } from "./import.ts";

const SPEC: CommandSpec = {
  name: "export",
  summary: "write canonical blocks to a geth-format RLP chain file",
  args: "FILE.rlp [FROM TO]",
  description:
    "Writes blocks FROM..TO (default: genesis to head), readable by `fastevm import` and `geth import`.",
  options: [DATADIR_OPTION],
  example: "export --datadir .node chain.rlp 0 100",
};

function blockNumber(s: string | undefined, what: string): bigint | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) throw usageError(SPEC, `${what} must be a block number`);
  return BigInt(s);
}

export const exportCommand: CliCommand = defineCommand(SPEC, async (args) => {
  const positional = args.positionals;
  if (positional.length !== 1 && positional.length !== 3)
    throw usageError(SPEC, "expected FILE or FILE FROM TO");
  const storage = openStorage(resolve(args.get("datadir")!), { mustExist: true });
  try {
    const store = new ChainStore(storage);
    const head = store.head().header.number;
    const from = blockNumber(positional[1], "FROM") ?? 0n;
    const to = blockNumber(positional[2], "TO") ?? head;
    if (from > to || to > head) throw usageError(SPEC, `range ${from}..${to} is outside 0..${head}`);
    function* blocks(): Generator<Uint8Array> {
      for (let n = from; n <= to; n++) {
        const b = store.blockByNumber(n);
        if (b === undefined) throw new FastEvmError(ErrorCode.STORAGE, `canonical block ${n} is missing`);
        yield encodeBlock(b);
      }
    }
    const n = writeChainFile(positional[0]!, blocks());
    console.log(`exported ${n} blocks (${from}..${to}) to ${positional[0]}`);
    return 0;
  } finally {
    await storage.close();
  }
});
