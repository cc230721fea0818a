/** genesis.json parsing: geth's accepted forms, and a typed error naming the field for every defect. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  addressOfKey,
  DEV_ACCOUNT_COUNT,
  DEVNET_CHAIN_ID,
  DEVNET_GENESIS_PATH,
  devAccountKey,
} from "../../../../../node/core/chain/devnet.ts";
import { parseGenesis, parseGenesisText } from "../../../../../node/core/chain/genesisJson.ts";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";

const minimal = { config: { chainId: 5 }, alloc: {} };

function expectInvalid(json: unknown, text: string): void {
  let thrown: unknown;
  try {
    parseGenesis(json);
  } catch (e) {
    thrown = e;
  }
  expect(isFastEvmError(thrown, ErrorCode.GENESIS_INVALID), String(thrown)).toBe(true);
  expect((thrown as Error).message).toContain(text);
}

describe("genesis.json", () => {
  it("parses numbers, decimal strings and hex; addresses with or without 0x; pads storage keys", () => {
    const g = parseGenesis({
      ...minimal,
      gasLimit: 30_000_000,
      timestamp: "0x10",
      difficulty: "17",
      nonce: "0x42",
      alloc: {
        AA00000000000000000000000000000000000001: {
          balance: "1000",
          code: "0x6000",
          storage: { "0x01": "0x02", "0x02": "0x00" },
        },
        "0xbb00000000000000000000000000000000000002": { balance: "0x10", nonce: 3 },
      },
    });
    expect(g.gasLimit).toBe(30_000_000n);
    expect(g.timestamp).toBe(16n);
    expect(g.difficulty).toBe(17n);
    expect(bytesToHex(g.nonce)).toBe("0x0000000000000042");
    const a = g.alloc.get("0xaa00000000000000000000000000000000000001")!;
    expect(a.balance).toBe(1000n);
    expect([...a.storage]).toEqual([[`0x${"00".repeat(31)}01`, 2n]]);
    expect(g.alloc.get("0xbb00000000000000000000000000000000000002")!.nonce).toBe(3n);
    expect(g.baseFeePerGas).toBeUndefined();
  });

  it("rejects defects with GENESIS_INVALID naming the field", () => {
    expectInvalid(null, "top level");
    expectInvalid({ alloc: {} }, "config is missing");
    expectInvalid({ config: { chainId: 5 } }, "alloc is missing");
    expectInvalid({ config: {}, alloc: {} }, "chainId");
    expectInvalid({ ...minimal, gasLimit: "lots" }, "gasLimit");
    expectInvalid({ ...minimal, gasLimit: "0x1ffffffffffffffff" }, "gasLimit");
    expectInvalid({ ...minimal, mixHash: "0x12" }, "mixHash must be 32 bytes");
    expectInvalid({ ...minimal, coinbase: "0xgg" }, "coinbase");
    expectInvalid({ ...minimal, alloc: { "0x12": {} } }, "alloc address");
    expectInvalid({ ...minimal, alloc: { [`0x${"11".repeat(20)}`]: { balance: "-1" } } }, ".balance");
    expectInvalid({ ...minimal, alloc: { [`0x${"11".repeat(20)}`]: { code: "0x6" + "z" } } }, ".code");
    expectInvalid(
      { ...minimal, alloc: { [`0x${"11".repeat(20)}`]: { storage: { [`0x${"00".repeat(33)}`]: "0x1" } } } },
      "storage key",
    );
    expectInvalid({ ...minimal, alloc: { [`0x${"11".repeat(20)}`]: 5 } }, "must be an object");
    let thrown: unknown;
    try {
      parseGenesisText("{ not json");
    } catch (e) {
      thrown = e;
    }
    expect(isFastEvmError(thrown, ErrorCode.GENESIS_INVALID)).toBe(true);
    expect((thrown as Error).message).toContain("not valid JSON");
  });

  it("ships a devnet genesis with Cancun at 0 and the dev accounts prefunded", () => {
    const g = parseGenesisText(readFileSync(DEVNET_GENESIS_PATH, "utf8"));
    expect(g.config.chainId).toBe(DEVNET_CHAIN_ID);
    expect(g.config.cancunTime).toBe(0n);
    for (let i = 0; i < DEV_ACCOUNT_COUNT; i++) {
      const acc = g.alloc.get(bytesToHex(addressOfKey(devAccountKey(i))));
      expect(acc?.balance).toBeGreaterThan(0n);
    }
  });
});
