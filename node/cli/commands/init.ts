/** `fastevm init`: placeholder wired up by the genesis work (see node/chain/genesis). */
import type { CliCommand } from "../command.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";

export const initCommand: CliCommand = {
  name: "init",
  summary: "write the genesis block and state of a genesis.json into a datadir",
  usage: "usage: fastevm init --datadir DIR GENESIS.json",
  async run() {
    throw new FastEvmError(ErrorCode.INTERNAL, "init is not implemented yet");
  },
};
