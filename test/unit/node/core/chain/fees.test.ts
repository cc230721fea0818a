import { describe, expect, it } from "vitest";
import {
  blobBaseFee,
  calcBaseFee,
  calcExcessBlobGas,
  fakeExponential,
} from "../../../../../node/core/chain/fees.ts";

describe("EIP-1559 base fee", () => {
  it("stays at target, rises by up to 1/8 when full, falls by up to 1/8 when empty", () => {
    const parent = { gasLimit: 30_000_000n, baseFeePerGas: 1_000_000_000n };
    expect(calcBaseFee({ ...parent, gasUsed: 15_000_000n })).toBe(1_000_000_000n);
    expect(calcBaseFee({ ...parent, gasUsed: 30_000_000n })).toBe(1_125_000_000n);
    expect(calcBaseFee({ ...parent, gasUsed: 0n })).toBe(875_000_000n);
    // a rise is at least 1 wei
    expect(calcBaseFee({ gasLimit: 30_000_000n, gasUsed: 15_000_001n, baseFeePerGas: 7n })).toBe(8n);
  });

  it("starts the first London block at 1 gwei", () => {
    expect(calcBaseFee({ gasLimit: 1n, gasUsed: 0n })).toBe(1_000_000_000n);
  });
});

describe("EIP-4844 blob gas", () => {
  it("carries excess above the target", () => {
    expect(calcExcessBlobGas({ excessBlobGas: 0n, blobGasUsed: 393_216n })).toBe(0n);
    expect(calcExcessBlobGas({ excessBlobGas: 0n, blobGasUsed: 786_432n })).toBe(393_216n);
    expect(calcExcessBlobGas({ excessBlobGas: 100n, blobGasUsed: 0n })).toBe(0n);
    expect(calcExcessBlobGas({})).toBe(0n);
  });

  it("prices blob gas with fake_exponential", () => {
    expect(blobBaseFee(0n)).toBe(1n);
    expect(fakeExponential(1000n, 1n, 1n)).toBe(2716n); // the EIP truncates each Taylor term
    expect(blobBaseFee(3_338_477n * 10n)).toBe(22026n);
  });
});
