/** The logger: JSON records with level names and structured fields, the text format, level filtering, flags. */
import { describe, expect, it } from "vitest";
import {
  createLogger,
  formatTextLine,
  parseLogFormat,
  parseLogLevel,
} from "../../../../node/metrics/logger.ts";

function capture(): { lines: string[]; destination: { write(l: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (l: string) => void lines.push(l) } };
}

describe("createLogger", () => {
  it("writes one JSON record per line with the level's name, an ISO time and the fields", () => {
    const out = capture();
    const log = createLogger({ destination: out.destination });
    log.info({ block: 12n, hash: "0xab", txs: 3, gas: 63_000n }, "imported block");
    expect(out.lines).toHaveLength(1);
    const r = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    expect(r).toMatchObject({
      level: "info",
      msg: "imported block",
      block: "12",
      hash: "0xab",
      txs: 3,
      gas: "63000",
    });
    expect(new Date(r.time as string).toISOString()).toBe(r.time);
    expect(r.pid).toBeUndefined();
  });

  it("drops records below --log.level", () => {
    const out = capture();
    const log = createLogger({ level: "warn", destination: out.destination });
    log.info("quiet");
    log.debug("quieter");
    log.warn({ peer: "12D3" }, "loud");
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(["loud"]);
  });

  it("text: TIME LEVEL message key=value", () => {
    const out = capture();
    const log = createLogger({ format: "text", destination: out.destination });
    log.info({ block: 5, reason: "nonce too low", commitIndex: 9 }, "skipped transaction");
    expect(out.lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}skipped transaction block=5 reason="nonce too low" commitIndex=9\n$/,
    );
    expect(
      formatTextLine({ time: "t", level: "error", msg: "m", err: { message: "boom", stack: "S" } }),
    ).toBe("t ERROR m err=boom\nS\n");
  });

  it("refuses unknown levels and formats as usage errors", () => {
    expect(parseLogLevel("debug")).toBe("debug");
    expect(parseLogFormat("text")).toBe("text");
    expect(() => parseLogLevel("loud")).toThrow(expect.objectContaining({ code: "CLI_USAGE" }));
    expect(() => parseLogFormat("xml")).toThrow(expect.objectContaining({ code: "CLI_USAGE" }));
  });
});
