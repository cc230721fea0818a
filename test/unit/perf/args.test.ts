/** `pnpm perf` option checks: defaults, `--vs-anvil` and the combinations it refuses (CLI_USAGE). */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../node/core/errors.ts";
import { parsePerfArgs } from "../../../perf/args.ts";

const refused = (argv: string[]): string => {
  try {
    parsePerfArgs(argv);
  } catch (e) {
    expect((e as { code?: string }).code).toBe(ErrorCode.CLI_USAGE);
    return (e as Error).message.split("\n")[0]!;
  }
  throw new Error(`accepted ${argv.join(" ")}`);
};

describe("parsePerfArgs", () => {
  it("defaults to a local 4-validator devnet, and to 1 validator beside anvil", () => {
    const plain = parsePerfArgs([]);
    expect(plain.vsAnvil).toBe(false);
    expect(plain.validators).toBe(4);
    expect(plain.rates).toEqual([500]);
    expect(plain.batch).toBe(32);
    expect(parsePerfArgs(["--batch", "1"]).batch).toBe(1);
    const vs = parsePerfArgs(["--vs-anvil", "--rate", "4000", "--duration", "60"]);
    expect(vs.vsAnvil).toBe(true);
    expect(vs.validators).toBe(1);
    expect(vs.rates).toEqual([4000]);
    expect(vs.senders).toBe(800);
    expect(parsePerfArgs(["--vs-anvil", "--validators", "4"]).validators).toBe(4);
  });

  it("refuses --vs-anvil with nodes it did not start or another funding key", () => {
    expect(refused(["--vs-anvil", "--rpc", "http://127.0.0.1:8545"])).toMatch(/not with --rpc or --devnet/);
    expect(refused(["--vs-anvil", "--devnet", ".devnet"])).toMatch(/not with --rpc or --devnet/);
    expect(refused(["--vs-anvil", "--key", "11".repeat(32)])).toMatch(/not with --key/);
    expect(refused(["--vs-anvil", "--rate", "0"])).toMatch(/--rate must be a positive integer/);
    expect(refused(["--batch", "0.5"])).toMatch(/--batch must be a positive integer/);
  });
});
