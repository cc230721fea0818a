/**
 * The shape every `fastevm <command>` implements (commands live one per file in `commands/`), and the one
 * place a command's options are declared: `defineCommand` builds the usage line, the `--help` text (every
 * option with its default, an example) and the argument parser from the same `CommandSpec`, so the help
 * cannot drift from what the command accepts.
 */
import { ErrorCode, FastEvmError } from "../core/errors.ts";

export interface CliCommand {
  /** the word after `fastevm` */
  readonly name: string;
  /** one line for `fastevm help` */
  readonly summary: string;
  /** usage text shown on usage errors (and on `--help` when the command has no `help`) */
  readonly usage: string;
  /** full text for `fastevm <name> --help`: usage, every option with its default, an example */
  readonly help?: string;
  /** runs the command; resolves to the process exit code */
  run(argv: readonly string[]): Promise<number>;
}

export interface CliOption {
  /** the option without its dashes: `datadir` for `--datadir` */
  readonly name: string;
  /** placeholder of its value (`DIR`); absent for a boolean flag */
  readonly value?: string;
  /** `[RUNS]`-style: the value may be left out; the next word is taken only when `accepts` says so */
  readonly optionalValue?: { readonly accepts: (word: string) => boolean; readonly whenAbsent: string };
  /** the value used when the option is not given (shown in --help and applied by the parser) */
  readonly default?: string;
  readonly required?: boolean;
  /** one line for --help */
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** positional arguments as shown in the usage line (`PATH…`); absent = the command takes none */
  readonly args?: string;
  /** a paragraph under the usage line in --help */
  readonly description?: string;
  readonly options: readonly CliOption[];
  /** one example command line, without the leading `fastevm` */
  readonly example: string;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /** the option's value, its default when not given, or undefined */
  get(name: string): string | undefined;
  /** whether a boolean flag (or an optional-value option) was given */
  has(name: string): boolean;
}

function optionSyntax(o: CliOption): string {
  if (o.optionalValue !== undefined) return `--${o.name} [${o.value ?? "VALUE"}]`;
  return o.value === undefined ? `--${o.name}` : `--${o.name} ${o.value}`;
}

export function usageLine(spec: CommandSpec): string {
  const opts = spec.options.map((o) => (o.required ? optionSyntax(o) : `[${optionSyntax(o)}]`));
  return ["usage: fastevm", spec.name, ...opts, ...(spec.args === undefined ? [] : [spec.args])].join(" ");
}

/** Word-wraps a paragraph to `width` columns. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

export function helpText(spec: CommandSpec): string {
  const rows = spec.options.map((o) => {
    const notes = [
      o.required ? "required" : undefined,
      o.default === undefined ? undefined : `default: ${o.default}`,
    ]
      .filter((x) => x !== undefined)
      .join(", ");
    return [optionSyntax(o), notes === "" ? o.help : `${o.help} (${notes})`] as const;
  });
  rows.push(["-h, --help", "show this help"]);
  const width = Math.max(...rows.map(([s]) => s.length));
  return [
    `fastevm ${spec.name}: ${spec.summary}`,
    "",
    usageLine(spec),
    ...(spec.description === undefined ? [] : ["", ...wrap(spec.description)]),
    "",
    "options:",
    ...rows.map(([s, h]) => `  ${s.padEnd(width)}  ${h}`),
    "",
    "example:",
    `  fastevm ${spec.example}`,
  ].join("\n");
}

/** A CLI_USAGE error whose message ends with the command's usage line. */
export function usageError(spec: CommandSpec, message: string): FastEvmError {
  return new FastEvmError(ErrorCode.CLI_USAGE, `${message}\n${usageLine(spec)}`);
}

/**
 * Parses `--name VALUE`, `--name=VALUE` and boolean `--name` against the spec; other words are positionals
 * (so is a word like `-5`; any other `-x` is unknown). Unknown options, missing values, missing required options and
 * positionals for a command that takes none are CLI_USAGE errors.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      if (a.startsWith("-") && a !== "-" && !/^-\d+$/.test(a)) throw usageError(spec, `unknown option ${a}`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const key = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const o = spec.options.find((x) => x.name === key);
    if (o === undefined) throw usageError(spec, `unknown option ${a}`);
    if (o.value === undefined && o.optionalValue === undefined) {
      if (eq >= 0) throw usageError(spec, `--${o.name} takes no value`);
      values.set(o.name, "true");
    } else if (eq >= 0) {
      values.set(o.name, a.slice(eq + 1));
    } else if (o.optionalValue !== undefined) {
      const next = argv[i + 1];
      if (next !== undefined && o.optionalValue.accepts(next)) {
        values.set(o.name, next);
        i++;
      } else values.set(o.name, o.optionalValue.whenAbsent);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw usageError(spec, `--${o.name} needs a value`);
      values.set(o.name, next);
      i++;
    }
    if (values.get(o.name) === "" && o.value !== undefined)
      throw usageError(spec, `--${o.name} needs a value`);
  }
  for (const o of spec.options)
    if (o.required && !values.has(o.name)) throw usageError(spec, `--${o.name} is required`);
  if (spec.args === undefined && positionals.length > 0)
    throw usageError(spec, `unexpected argument ${positionals[0]}`);
  const known = (name: string): CliOption => {
    const o = spec.options.find((x) => x.name === name);
    if (o === undefined)
      throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `option --${name} is not declared`);
    return o;
  };
  return {
    positionals,
    get: (name) => values.get(name) ?? known(name).default,
    has: (name) => values.has(known(name).name),
  };
}

/** A command whose usage line, --help text and parser all come from `spec`. */
export function defineCommand(
  spec: CommandSpec,
  run: (args: ParsedArgs, argv: readonly string[]) => Promise<number>,
): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: usageLine(spec),
    help: helpText(spec),
    run: async (argv) => run(parseCommandArgs(spec, argv), argv),
  };
}
