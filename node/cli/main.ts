/**
 * `fastevm` command-line entry point: dispatches to one of the commands in `commands/`.
 * Exit codes: 0 success, 1 the command failed, 2 usage error. `fastevm --version` (`-v`, `-V`, `version`)
 * prints the package version; `fastevm <command> --help` the command's help (command.ts builds it).
 */
import { pathToFileURL } from "node:url";
import { isFastEvmError } from "../core/errors.ts";
import { COMMANDS } from "./commands/index.ts";
import { versionText } from "./version.ts";

function help(): string {
  const rows = [
    ...COMMANDS.map((c) => [c.name, c.summary] as const),
    ["version", "print the version"] as const,
  ];
  const width = Math.max(...rows.map(([n]) => n.length));
  return [
    "fastevm: a validator node for an EVM chain ordered by Mysticeti consensus",
    "",
    "usage: fastevm <command> [options]",
    "",
    "commands:",
    ...rows.map(([n, summary]) => `  ${n.padEnd(width)}  ${summary}`),
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
  if (name === "version" || name === "--version" || name === "-v" || name === "-V") {
    console.log(versionText());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    console.error(`fastevm: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help ?? command.usage);
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
