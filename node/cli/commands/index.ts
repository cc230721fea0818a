/** Registry of CLI commands, in the order `fastevm help` lists them. Add one line per new command. */
import type { CliCommand } from "../command.ts";
import { blocktestCommand } from "./blocktest.ts";
import { committeeCommand } from "./committee.ts";
import { consensusCommand } from "./consensus.ts";
import { devnetCommand } from "./devnet.ts";
import { exportCommand } from "./export.ts";
import { importCommand } from "./import.ts";
import { initCommand } from "./init.ts";
import { keysCommand } from "./keys.ts";
import { nodeCommand } from "./node.ts";
import { statetestCommand } from "./statetest.ts";
import { txCommand } from "./tx.ts";

export const COMMANDS: readonly CliCommand[] = [
  devnetCommand,
  initCommand,
  statetestCommand,
  txCommand,
  keysCommand,
  committeeCommand,
  consensusCommand,
  blocktestCommand,
  importCommand,
  exportCommand,
  nodeCommand,
];
