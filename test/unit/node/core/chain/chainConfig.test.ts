/** Chain config parsing (geth `config` objects) and the fork schedule. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  chainConfigForFork,
  feeRecipientRuleOf,
  forkAt,
  isCancun,
  isForkActive,
  parseChainConfig,
} from "../../../../../node/core/chain/chainConfig.ts";
import { DEVNET_GENESIS_PATH } from "../../../../../node/core/chain/devnet.ts";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { chainConfigToJson } from "../../../../../node/state/genesis.ts";
import { REPO_ROOT } from "../../../../utils/fixtures.ts";

function expectInvalid(json: unknown, text: string): void {
  let thrown: unknown;
  try {
    parseChainConfig(json);
  } catch (e) {
    thrown = e;
  }
  expect(isFastEvmError(thrown, ErrorCode.CHAIN_CONFIG_INVALID), String(thrown)).toBe(true);
  expect((thrown as Error).message).toContain(text);
}

const mainnetLike = {
  chainId: 1,
  homesteadBlock: 1_150_000,
  eip150Block: 2_463_000,
  eip155Block: 2_675_000,
  eip158Block: 2_675_000,
  byzantiumBlock: 4_370_000,
  constantinopleBlock: 7_280_000,
  petersburgBlock: 7_280_000,
  istanbulBlock: 9_069_000,
  berlinBlock: 12_244_000,
  londonBlock: 12_965_000,
  terminalTotalDifficulty: "58750000000000000000000",
  shanghaiTime: 1_681_338_455,
  cancunTime: 1_710_338_135,
};

describe("chain config", () => {
  it("parses a geth config and walks its fork schedule", () => {
    const c = parseChainConfig(mainnetLike);
    expect(c.chainId).toBe(1n);
    expect(c.terminalTotalDifficulty).toBe(58_750_000_000_000_000_000_000n);
    expect(forkAt(c, 0n, 0n)).toBe("Frontier");
    expect(forkAt(c, 1_150_000n, 0n)).toBe("Homestead");
    expect(forkAt(c, 12_965_000n, 0n)).toBe("London");
    expect(forkAt(c, 17_034_870n, 1_681_338_455n)).toBe("Shanghai");
    expect(forkAt(c, 19_426_587n, 1_710_338_135n)).toBe("Cancun");
    expect(isCancun(c, 1_710_338_134n)).toBe(false);
    expect(isForkActive(c, "Berlin", 12_965_000n, 0n)).toBe(true);
    expect(isForkActive(c, "Shanghai", 12_965_000n, 0n)).toBe(false);
  });

  it("builds all-at-genesis configs for fixture runners", () => {
    const c = parseChainConfig(
      Object.fromEntries(Object.entries(chainConfigForFork("Cancun")).map(([k, v]) => [k, v.toString()])),
    );
    expect(forkAt(c, 0n, 0n)).toBe("Cancun");
    expect(forkAt(chainConfigForFork("London"), 0n, 0n)).toBe("London");
    expect(forkAt(chainConfigForFork("Paris"), 0n, 0n)).toBe("Paris");
  });

  it("rejects invalid configs naming the problem", () => {
    expectInvalid({}, "chainId");
    expectInvalid({ chainId: 0 }, "chainId");
    expectInvalid({ chainId: 1, homesteadBlock: 5, byzantiumBlock: 3 }, "byzantiumBlock");
    expectInvalid({ chainId: 1, londonBlock: "x" }, "londonBlock");
    expectInvalid({ chainId: 1, londonBlock: -1 }, "londonBlock");
    expectInvalid(
      { chainId: 1, londonBlock: 0, terminalTotalDifficulty: 0, cancunTime: 0 },
      "without shanghaiTime",
    );
    expectInvalid({ chainId: 1, shanghaiTime: 0 }, "londonBlock");
    expectInvalid({ ...mainnetLike, cancunTime: 5 }, "cancunTime");
    expectInvalid([], "object");
  });

  it("reads the FastEVM timestamp rule from config.fastevm (absent = strict) and round-trips it", () => {
    expect(parseChainConfig(mainnetLike).timestampRule).toBeUndefined();
    const c = parseChainConfig({ ...mainnetLike, fastevm: { timestampRule: "non-decreasing" } });
    expect(c.timestampRule).toBe("non-decreasing");
    expect(parseChainConfig({ ...mainnetLike, fastevm: {} }).timestampRule).toBeUndefined();
    expect(parseChainConfig(JSON.parse(chainConfigToJson(c))).timestampRule).toBe("non-decreasing");
    expect(JSON.parse(chainConfigToJson(c)).fastevm).toEqual({ timestampRule: "non-decreasing" });
    expect(
      parseChainConfig(JSON.parse(chainConfigToJson(parseChainConfig(mainnetLike)))).timestampRule,
    ).toBeUndefined();
    expectInvalid({ ...mainnetLike, fastevm: { timestampRule: "loose" } }, "timestampRule");
    expectInvalid({ ...mainnetLike, fastevm: 1 }, "fastevm");
  });

  it("reads the fee-recipient rule from config.fastevm (absent = leader), lowercased, and round-trips it", () => {
    expect(parseChainConfig(mainnetLike).feeRecipient).toBeUndefined();
    expect(parseChainConfig({ ...mainnetLike, fastevm: { feeRecipient: "leader" } }).feeRecipient).toBe(
      "leader",
    );
    const mixed = `0x${"aB".repeat(20)}`;
    const c = parseChainConfig({
      ...mainnetLike,
      fastevm: { timestampRule: "non-decreasing", feeRecipient: mixed },
    });
    expect(c.feeRecipient).toBe(mixed.toLowerCase());
    expect(JSON.parse(chainConfigToJson(c)).fastevm).toEqual({
      timestampRule: "non-decreasing",
      feeRecipient: mixed.toLowerCase(),
    });
    expect(parseChainConfig(JSON.parse(chainConfigToJson(c)))).toEqual(c);
    const burnOnly = parseChainConfig({ ...mainnetLike, fastevm: { feeRecipient: `0x${"00".repeat(20)}` } });
    expect(JSON.parse(chainConfigToJson(burnOnly)).fastevm).toEqual({ feeRecipient: `0x${"00".repeat(20)}` });
    expect(feeRecipientRuleOf("leader")).toBe("leader");
    for (const bad of [
      "Leader",
      "",
      `0x${"11".repeat(19)}`,
      `0x${"11".repeat(21)}`,
      "11".repeat(20),
      `0x${"zz".repeat(20)}`,
      42,
      null,
      {},
    ]) {
      expect(feeRecipientRuleOf(bad)).toBeUndefined();
      expectInvalid({ ...mainnetLike, fastevm: { feeRecipient: bad } }, "fastevm.feeRecipient must be");
    }
    expectInvalid(
      { ...mainnetLike, fastevm: { feeRecipient: "0x1234" } },
      'fastevm.feeRecipient must be "leader" or a 0x-prefixed 20-byte hex address, got "0x1234"',
    );
  });

  it("the devnet genesis declares non-decreasing timestamps", () => {
    const g = JSON.parse(readFileSync(DEVNET_GENESIS_PATH, "utf8")) as { config: unknown };
    expect(parseChainConfig(g.config).timestampRule).toBe("non-decreasing");
  });

  it("refuses fork keys FastEVM does not implement, scheduled or active, and accepts the shared genesis files", () => {
    const refused = (json: Record<string, unknown>, keys: string) => {
      let thrown: unknown;
      try {
        parseChainConfig(json);
      } catch (e) {
        thrown = e;
      }
      expect(isFastEvmError(thrown, ErrorCode.CHAIN_CONFIG_UNSUPPORTED), String(thrown)).toBe(true);
      expect((thrown as Error).message).toContain(`${keys} schedule`);
      expect((thrown as Error).message).toContain("up to Cancun");
    };
    refused({ ...mainnetLike, pragueTime: 1_746_612_311 }, "pragueTime");
    refused({ ...mainnetLike, pragueTime: 0, osakaTime: 0 }, "pragueTime, osakaTime");
    refused({ ...mainnetLike, verkleTime: 9 }, "verkleTime");
    refused({ ...mainnetLike, fooBlock: 3 }, "fooBlock");
    refused({ ...mainnetLike, daoForkBlock: 1_920_000, daoForkSupport: true }, "daoForkBlock");
    // no rule FastEVM checks: difficulty-bomb delays, the merge marker, an unsupported DAO fork, a null key
    const accepted = parseChainConfig({
      ...mainnetLike,
      muirGlacierBlock: 9_200_000,
      arrowGlacierBlock: 13_773_000,
      grayGlacierBlock: 15_050_000,
      mergeNetsplitBlock: 0,
      daoForkBlock: 1_920_000,
      daoForkSupport: false,
      pragueTime: null,
    });
    expect(accepted.cancunTime).toBe(1_710_338_135n);
    for (const path of [DEVNET_GENESIS_PATH, join(REPO_ROOT, "../shared/fixtures/rpc-compat/genesis.json")]) {
      const g = JSON.parse(readFileSync(path, "utf8")) as { config: unknown };
      expect(isCancun(parseChainConfig(g.config), 0n), path).toBe(true);
    }
  });
});
