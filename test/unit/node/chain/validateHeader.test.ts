import { describe, expect, it } from "vitest";
import { validateHeader } from "../../../../node/chain/validateHeader.ts";
import { type BlockHeader, headerHash } from "../../../../node/core/block/header.ts";
import { chainConfigForFork } from "../../../../node/core/chain/chainConfig.ts";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { cancunHeader } from "../../../utils/headers.ts";

const config = chainConfigForFork("Cancun");
const parent: BlockHeader = cancunHeader();
const parentHash = headerHash(parent);
const child: BlockHeader = {
  ...parent,
  parentHash,
  number: 11n,
  timestamp: 1012n,
  gasUsed: 0n,
  blobGasUsed: 0n,
  excessBlobGas: 393_216n,
};

function codeOf(h: BlockHeader, rule: "strict" | "non-decreasing" = "strict"): string | undefined {
  try {
    validateHeader(h, parent, parentHash, { config, timestampRule: rule });
  } catch (e) {
    return isFastEvmError(e) ? e.code : "untyped";
  }
  return undefined;
}

describe("validateHeader", () => {
  it("accepts a well-formed child", () => {
    expect(codeOf(child)).toBeUndefined();
  });

  it.each<[string, Partial<BlockHeader>, string]>([
    ["wrong parent hash", { parentHash: new Uint8Array(32) }, "BLOCK_PARENT_HASH"],
    ["skipped number", { number: 12n }, "BLOCK_NUMBER"],
    ["gas limit jump", { gasLimit: 30_000_000n + 30_000_000n / 1024n }, "BLOCK_GAS_LIMIT"],
    ["gas limit below minimum", { gasLimit: 4999n }, "BLOCK_GAS_LIMIT"],
    ["gas used above limit", { gasUsed: 30_000_001n }, "BLOCK_GAS_USED"],
    ["wrong base fee", { baseFeePerGas: 1n }, "BLOCK_BASE_FEE"],
    ["same timestamp", { timestamp: 1000n }, "BLOCK_TIMESTAMP"],
    ["long extraData", { extraData: new Uint8Array(33) }, "BLOCK_EXTRA_DATA"],
    ["difficulty", { difficulty: 1n }, "BLOCK_DIFFICULTY"],
    ["nonce", { nonce: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]) }, "BLOCK_NONCE"],
    ["ommers", { ommersHash: new Uint8Array(32) }, "BLOCK_OMMERS"],
    [
      "missing withdrawals root",
      { withdrawalsRoot: undefined as unknown as Uint8Array },
      "BLOCK_FORK_FIELDS",
    ],
    ["blob gas not a blob multiple", { blobGasUsed: 1n }, "BLOCK_BLOB_GAS_USED"],
    ["too much blob gas", { blobGasUsed: 131_072n * 7n }, "BLOCK_BLOB_GAS_USED"],
    ["wrong excess blob gas", { excessBlobGas: 0n }, "BLOCK_EXCESS_BLOB_GAS"],
  ])("rejects %s", (_name, change, code) => {
    const h = { ...child, ...change } as BlockHeader;
    if ("withdrawalsRoot" in change && change.withdrawalsRoot === undefined)
      delete (h as { withdrawalsRoot?: unknown }).withdrawalsRoot;
    expect(codeOf(h)).toBe(code);
  });

  it("checks the coinbase only on a chain with a fixed fee recipient (config.fastevm.feeRecipient)", () => {
    const burn = `0x${"de".repeat(20)}` as const;
    const check = (c: typeof config, coinbase: Uint8Array) => () =>
      validateHeader({ ...child, coinbase }, parent, parentHash, { config: c });
    const other = new Uint8Array(20).fill(0x11);
    expect(check(config, other)).not.toThrow();
    expect(check({ ...config, feeRecipient: "leader" }, other)).not.toThrow();
    expect(check({ ...config, feeRecipient: burn }, new Uint8Array(20).fill(0xde))).not.toThrow();
    let code: string | undefined;
    try {
      check({ ...config, feeRecipient: burn }, other)();
    } catch (e) {
      code = isFastEvmError(e) ? e.code : "untyped";
    }
    expect(code).toBe("BLOCK_COINBASE");
    expect(check({ ...config, feeRecipient: burn }, other)).toThrow(/is not the chain's fee recipient/);
  });

  it("allows equal timestamps only under the non-decreasing rule", () => {
    const same = { ...child, timestamp: 1000n };
    expect(codeOf(same, "non-decreasing")).toBeUndefined();
    expect(codeOf({ ...child, timestamp: 999n }, "non-decreasing")).toBe("BLOCK_TIMESTAMP");
  });

  it("takes the rule from the chain config when no override is given", () => {
    const same = { ...child, timestamp: 1000n };
    const check = (c: typeof config) => () => validateHeader(same, parent, parentHash, { config: c });
    expect(check(config)).toThrow(/not after/);
    expect(check({ ...config, timestampRule: "strict" })).toThrow(/not after/);
    expect(check({ ...config, timestampRule: "non-decreasing" })).not.toThrow();
    // an explicit override wins over the config
    expect(() =>
      validateHeader(same, parent, parentHash, {
        config: { ...config, timestampRule: "non-decreasing" },
        timestampRule: "strict",
      }),
    ).toThrow(/not after/);
  });
});
