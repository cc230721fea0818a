/**
 * The node's logger (`--log.level`, `--log.format json|text`): pino, one JSON object per line on stderr by
 * default, with the level as its name and an ISO time, so operators filter on structured fields — `block`
 * (number), `hash`, `commitIndex`, `peer`, `txs`, `gas`, `ms`, `reason`. `text` renders the same record for
 * a terminal: `TIME LEVEL message key=value …` (a few lines of our own instead of pino-pretty's worker).
 * Writes are synchronous: a line logged just before exit is not lost. stdout stays for the machine-read
 * lines (`engine api listening on …`), which are not log records.
 */
import { type DestinationStream, type Logger, pino } from "pino";
import { ErrorCode, FastEvmError } from "../core/errors.ts";

export type { Logger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  /** where lines go (default: stderr, synchronously) */
  readonly destination?: { write(line: string): unknown };
}

export function parseLogLevel(s: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(s)) return s as LogLevel;
  throw new FastEvmError(
    ErrorCode.CLI_USAGE,
    `--log.level: unknown level ${s} (one of ${LOG_LEVELS.join(", ")})`,
  );
}

export function parseLogFormat(s: string): LogFormat {
  if ((LOG_FORMATS as readonly string[]).includes(s)) return s as LogFormat;
  throw new FastEvmError(ErrorCode.CLI_USAGE, `--log.format: unknown format ${s} (json or text)`);
}

const stderr: DestinationStream = {
  write(line: string) {
    process.stderr.write(line);
  },
};

/** A value as it reads after `key=`: strings with spaces or quotes are JSON-quoted. */
function textValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]*$/.test(v) && v !== "" ? v : JSON.stringify(v);
  if (typeof v === "object" && v !== null) return JSON.stringify(v);
  return String(v);
}

/** One JSON record (as pino writes it) as one text line. */
export function formatTextLine(record: Record<string, unknown>): string {
  const { time, level, msg, err, ...fields } = record;
  const parts = [
    String(time ?? ""),
    String(level ?? "")
      .toUpperCase()
      .padEnd(5),
    String(msg ?? ""),
  ];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${textValue(v)}`);
  let line = parts.join(" ");
  if (typeof err === "object" && err !== null) {
    const e = err as { message?: unknown; stack?: unknown };
    line += ` err=${textValue(e.message)}`;
    if (typeof e.stack === "string") line += `\n${e.stack}`;
  }
  return `${line}\n`;
}

function textStream(out: { write(line: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(formatTextLine(record));
    },
  };
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const out = o.destination ?? stderr;
  return pino(
    {
      level: o.level ?? "info",
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // bigint fields (block numbers, gas) as decimal strings: JSON has no bigint
      hooks: {
        logMethod(args, method) {
          const first = args[0];
          if (typeof first === "object" && first !== null && !(first instanceof Error)) {
            const copy: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(first)) copy[k] = typeof v === "bigint" ? v.toString() : v;
            args[0] = copy;
          }
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    o.format === "text" ? textStream(out) : (out as DestinationStream),
  );
}
