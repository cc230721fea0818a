/**
 * `fastevm export --datadir DIR FILE.rlp [FROM TO]`: writes the canonical blocks FROM..TO (default: genesis to
 * head) as a geth-format chain file (concatenated RLP blocks), readable by `fastevm import` and `geth import`.
 */

import { writeChainFile } from "../../chain/chainFile.ts";
import { ChainStore } from "../../chain/chainStore.ts";
import { encodeBlock } from "../../core/block/block.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { openStorage } from "../../storage/storage.ts";
import type { CliCommand } from "../command.ts";
import { parseDatadirArgs } from "./import.ts";

const USAGE = "usage: fastevm export --datadir DIR FILE.rlp [FROM TO]";

function blockNumber(s: string | undefined, what: string): bigint | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s))
    throw new FastEvmError(ErrorCode.CLI_USAGE, `${what} must be a block number\n${USAGE}`);
  return BigInt(s);
}

export const exportCommand: CliCommand = {
  name: "export",
  summary: "write canonical blocks to a geth-format RLP chain file",
  usage: USAGE,
  async run(argv) {
    const { datadir, positional } = parseDatadirArgs(argv, USAGE);
    if (positional.length !== 1 && positional.length !== 3)
      throw new FastEvmError(ErrorCode.CLI_USAGE, `expected FILE or FILE FROM TO\n${USAGE}`);
    const storage = openStorage(datadir);
    try {
      const store = new ChainStore(storage);
      const head = store.head().header.number;
      const from = blockNumber(positional[1], "FROM") ?? 0n;
      const to = blockNumber(positional[2], "TO") ?? head;
      if (from > to || to > head)
        throw new FastEvmError(ErrorCode.CLI_USAGE, `range ${from}..${to} is outside 0..${head}\n${USAGE}`);
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
  },
};
