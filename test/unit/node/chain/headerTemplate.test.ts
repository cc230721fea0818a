import { describe, expect, it } from "vitest";
import { headerTemplate } from "../../../../node/chain/headerTemplate.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH } from "../../../../node/core/block/header.ts";

const parent: BlockHeader = {
  parentHash: new Uint8Array(32),
  ommersHash: EMPTY_OMMERS_HASH,
  coinbase: new Uint8Array(20),
  stateRoot: new Uint8Array(32),
  transactionsRoot: new Uint8Array(32),
  receiptsRoot: new Uint8Array(32),
  logsBloom: new Uint8Array(256),
  difficulty: 0n,
  number: 7n,
  gasLimit: 30_000_000n,
  gasUsed: 30_000_000n,
  timestamp: 100n,
  extraData: new Uint8Array(),
  mixHash: new Uint8Array(32),
  nonce: new Uint8Array(8),
  baseFeePerGas: 1_000_000_000n,
  withdrawalsRoot: new Uint8Array(32),
  blobGasUsed: 786_432n,
  excessBlobGas: 0n,
  parentBeaconBlockRoot: new Uint8Array(32),
};
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
