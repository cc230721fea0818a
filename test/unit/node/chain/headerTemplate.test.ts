import { describe, expect, it } from "vitest";
import { headerTemplate } from "../../../../node/chain/headerTemplate.ts";
import type { BlockHeader } from "../../../../node/core/block/header.ts";
import { cancunHeader } from "../../../utils/headers.ts";

const parent: BlockHeader = cancunHeader({ number: 7n, gasUsed: 30_000_000n, timestamp: 100n });
const choices = {
  coinbase: new Uint8Array(20).fill(1),
  timestamp: 112n,
  mixHash: new Uint8Array(32).fill(2),
};

describe("headerTemplate", () => {
  it("derives number, base fee and excess blob gas from the parent (Cancun)", () => {
    const h = headerTemplate(parent, new Uint8Array(32).fill(9), {
      ...choices,
      withdrawals: true,
      parentBeaconBlockRoot: new Uint8Array(32).fill(3),
    });
    expect(h.number).toBe(8n);
    expect(h.baseFeePerGas).toBe(1_125_000_000n);
    expect(h.excessBlobGas).toBe(393_216n);
    expect(h.blobGasUsed).toBe(0n);
    expect(h.gasLimit).toBe(30_000_000n);
    expect(h.parentHash).toEqual(new Uint8Array(32).fill(9));
    expect(h.withdrawalsRoot).toBeDefined();
  });

  it("leaves out the fork fields the attributes do not carry", () => {
    const shanghai = headerTemplate(parent, new Uint8Array(32), {
      ...choices,
      withdrawals: true,
      gasLimit: 29_990_000n,
    });
    expect(shanghai.withdrawalsRoot).toBeDefined();
    expect("excessBlobGas" in shanghai).toBe(false);
    expect("parentBeaconBlockRoot" in shanghai).toBe(false);
    expect(shanghai.gasLimit).toBe(29_990_000n);
    const paris = headerTemplate(parent, new Uint8Array(32), { ...choices, withdrawals: false });
    expect("withdrawalsRoot" in paris).toBe(false);
  });
});
