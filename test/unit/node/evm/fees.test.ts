import { describe, expect, it } from "vitest";
import { blobBaseFee, fakeExponential, intrinsicGas } from "../../../../node/evm/fees.ts";

describe("intrinsic gas", () => {
  it("charges 21000 plus 4/16 per zero/non-zero byte for calls", () => {
    expect(intrinsicGas(new Uint8Array([0, 1, 0, 2]), false, [])).toBe(21000n + 4n * 2n + 16n * 2n);
  });
  it("charges 53000 plus 2 per initcode word for creates (EIP-3860)", () => {
    expect(intrinsicGas(new Uint8Array(33).fill(1), true, [])).toBe(53000n + 16n * 33n + 2n * 2n);
  });
  it("charges 2400 per access-list address and 1900 per key (EIP-2930)", () => {
    const al = [{ storageKeys: [1, 2] }, { storageKeys: [] }];
    expect(intrinsicGas(new Uint8Array(0), false, al)).toBe(21000n + 2n * 2400n + 2n * 1900n);
  });
});

describe("blob base fee (EIP-4844)", () => {
  it("is 1 wei at zero excess and grows exponentially", () => {
    expect(blobBaseFee(0n)).toBe(1n);
    expect(fakeExponential(1n, 3338477n, 3338477n)).toBe(2n); // floor(e)
    expect(blobBaseFee(3338477n * 10n)).toBe(22026n); // floor(e^10) = 22026
  });
});
