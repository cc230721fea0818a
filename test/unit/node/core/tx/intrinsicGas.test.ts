import { describe, expect, it } from "vitest";
import { intrinsicGas, intrinsicGasOf } from "../../../../../node/core/tx/intrinsicGas.ts";
import { sampleTx } from "./samples.ts";

describe("intrinsic gas (Cancun)", () => {
  it("is 21000 for a plain transfer and 53000 for an empty creation", () => {
    expect(intrinsicGas(sampleTx(2))).toBe(21000);
    expect(intrinsicGas(sampleTx(0, { to: null }))).toBe(53000);
  });

  it("charges 4 per zero and 16 per non-zero calldata byte (EIP-2028)", () => {
    expect(intrinsicGas(sampleTx(2, { data: Uint8Array.of(0, 0, 1, 2, 0) }))).toBe(21000 + 3 * 4 + 2 * 16);
  });

  it("charges 2400 per access-list address and 1900 per storage key (EIP-2930)", () => {
    const accessList = [
      { address: new Uint8Array(20), storageKeys: [new Uint8Array(32), new Uint8Array(32)] },
      { address: new Uint8Array(20).fill(1), storageKeys: [] },
    ];
    expect(intrinsicGas(sampleTx(1, { accessList }))).toBe(21000 + 2 * 2400 + 2 * 1900);
    expect(intrinsicGas(sampleTx(3, { accessList }))).toBe(21000 + 2 * 2400 + 2 * 1900);
  });

  it("charges 2 per started 32-byte initcode word on creation only (EIP-3860)", () => {
    const data = new Uint8Array(33).fill(1); // 2 words
    expect(intrinsicGas(sampleTx(2, { to: null, data }))).toBe(53000 + 33 * 16 + 2 * 2);
    expect(intrinsicGas(sampleTx(2, { data }))).toBe(21000 + 33 * 16);
    expect(intrinsicGas(sampleTx(2, { to: null, data: new Uint8Array(64) }))).toBe(53000 + 64 * 4 + 2 * 2);
  });
});

describe("intrinsicGasOf (the state transition's form)", () => {
  it("charges 21000 plus 4/16 per zero/non-zero byte for calls", () => {
    expect(intrinsicGasOf(new Uint8Array([0, 1, 0, 2]), false, [])).toBe(21000 + 4 * 2 + 16 * 2);
  });
  it("charges 53000 plus 2 per initcode word for creates (EIP-3860)", () => {
    expect(intrinsicGasOf(new Uint8Array(33).fill(1), true, [])).toBe(53000 + 16 * 33 + 2 * 2);
  });
  it("charges 2400 per access-list address and 1900 per key (EIP-2930)", () => {
    const al = [{ storageKeys: [1, 2] }, { storageKeys: [] }];
    expect(intrinsicGasOf(new Uint8Array(0), false, al)).toBe(21000 + 2 * 2400 + 2 * 1900);
  });
});
