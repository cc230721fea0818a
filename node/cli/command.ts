/** The shape every `fastevm <command>` implements. Commands live one per file in `commands/`. */
export interface CliCommand {
  /** the word after `fastevm` */
  readonly name: string;
  /** one line for `fastevm help` */
  readonly summary: string;
  /** usage text shown on `fastevm <name> --help` and on usage errors */
  readonly usage: string;
  /** runs the command; resolves to the process exit code */
  run(argv: readonly string[]): Promise<number>;
}
