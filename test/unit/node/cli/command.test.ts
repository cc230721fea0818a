/** command.ts: one CommandSpec gives the usage line, the --help text and the parser, so they agree. */
import { describe, expect, it } from "vitest";
import { type CommandSpec, helpText, parseCommandArgs, usageLine } from "../../../../node/cli/command.ts";
import { COMMANDS } from "../../../../node/cli/commands/index.ts";
import { isFastEvmError } from "../../../../node/core/errors.ts";

const SPEC: CommandSpec = {
  name: "demo",
  summary: "a demo command",
  args: "FILE…",
  options: [
    { name: "datadir", value: "DIR", required: true, help: "where" },
    { name: "port", value: "N", default: "8551", help: "which port" },
    { name: "json", help: "print JSON" },
    {
      name: "bench",
      value: "RUNS",
      optionalValue: { accepts: (w) => /^\d+$/.test(w), whenAbsent: "10" },
      help: "repeat",
    },
  ],
  example: "demo --datadir x a.json",
};

const { args: _args, ...NO_ARGS } = SPEC;

const usageErr = (f: () => unknown): boolean => {
  try {
    f();
  } catch (e) {
    return isFastEvmError(e, "CLI_USAGE");
  }
  return false;
};

describe("command specs", () => {
  it("build the usage line and a help text with every option, its default and the example", () => {
    expect(usageLine(SPEC)).toBe(
      "usage: fastevm demo --datadir DIR [--port N] [--json] [--bench [RUNS]] FILE…",
    );
    const help = helpText(SPEC);
    expect(help).toContain(usageLine(SPEC));
    expect(help).toMatch(/--datadir DIR\s+where \(required\)/);
    expect(help).toMatch(/--port N\s+which port \(default: 8551\)/);
    expect(help).toMatch(/--json\s+print JSON/);
    expect(help).toMatch(/example:\n {2}fastevm demo --datadir x a\.json/);
  });

  it("parse values, defaults, booleans and optional values", () => {
    const a = parseCommandArgs(SPEC, ["--datadir", "d", "f1", "--json", "--bench", "f2"]);
    expect(a.get("datadir")).toBe("d");
    expect(a.get("port")).toBe("8551");
    expect(a.has("port")).toBe(false);
    expect(a.has("json")).toBe(true);
    expect(a.get("bench")).toBe("10");
    expect(a.positionals).toEqual(["f1", "f2"]);
    const b = parseCommandArgs(SPEC, ["--datadir=d", "--port=9", "--bench", "3", "-5"]);
    expect([b.get("port"), b.get("bench"), b.positionals]).toEqual(["9", "3", ["-5"]]);
  });

  it("refuse unknown options, missing values and missing required options", () => {
    expect(usageErr(() => parseCommandArgs(SPEC, ["f"]))).toBe(true);
    expect(usageErr(() => parseCommandArgs(SPEC, ["--datadir"]))).toBe(true);
    expect(usageErr(() => parseCommandArgs(SPEC, ["--datadir", "d", "--bogus"]))).toBe(true);
    expect(usageErr(() => parseCommandArgs(SPEC, ["--datadir", "d", "-x"]))).toBe(true);
    expect(usageErr(() => parseCommandArgs(SPEC, ["--datadir", "d", "--json=1"]))).toBe(true);
    expect(usageErr(() => parseCommandArgs(NO_ARGS, ["--datadir", "d", "f"]))).toBe(true);
  });

  it("give the registered commands a help text that starts with their summary and holds their usage", () => {
    const withHelp = COMMANDS.filter((c) => c.help !== undefined);
    expect(withHelp.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "init",
        "statetest",
        "blocktest",
        "tx",
        "keys",
        "committee",
        "import",
        "export",
      ]),
    );
    for (const c of withHelp) {
      expect(c.help).toMatch(new RegExp(`^fastevm ${c.name}: `));
      expect(c.help).toContain(c.usage);
      expect(c.help).toMatch(/\nexample:\n {2}fastevm /);
    }
  });
});
