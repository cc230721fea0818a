/**
 * `fastevm` command-line entry point: dispatches to one of the commands in `commands/`.
 * Exit codes: 0 success, 1 the command failed, 2 usage error.
 */
import { pathToFileURL } from "node:url";
import { isFastEvmError } from "../core/errors.ts";
import { COMMANDS } from "./commands/index.ts";

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "fastevm: a validator node for an EVM chain ordered by Mysticeti consensus",
    "",
    "usage: fastevm <command> [options]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `fastevm <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    console.error(`fastevm: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (isFastEvmError(e)) {
      console.error(`fastevm ${name}: error [${e.code}]: ${e.message}`);
      return e.code === "CLI_USAGE" ? 2 : 1;
    }
    throw e;
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await main(process.argv.slice(2));
}
