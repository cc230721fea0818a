import { blake2b } from "@noble/hashes/blake2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blake2b256, KECCAK256_EMPTY, keccak256 } from "../../../../node/core/hash.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";

describe("keccak256 (WASM)", () => {
  it("matches the known empty-string digest", () => {
    expect(bytesToHex(KECCAK256_EMPTY)).toBe(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(bytesToHex(keccak256(new TextEncoder().encode("abc")))).toBe(
      "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
  });

  it("agrees with @noble/hashes on every length around the rate boundary and random inputs", () => {
    for (let n = 0; n <= 300; n++) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(keccak256(d)).toEqual(keccak_256(d));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (d) => {
        expect(keccak256(d)).toEqual(keccak_256(d));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("returns independent copies and handles inputs beyond the WASM buffer", () => {
    const a = keccak256(new Uint8Array([1]));
    const b = keccak256(new Uint8Array([2]));
    expect(a).not.toEqual(b);
    expect(keccak256(new Uint8Array([1]))).toEqual(a);
    const big = new Uint8Array(200_000).fill(7);
    expect(keccak256(big)).toEqual(keccak_256(big));
  });
});

describe("blake2b256 (WASM)", () => {
  it("matches the RFC 7693 parameterisation: known digest of the empty string", () => {
    expect(bytesToHex(blake2b256(new Uint8Array(0)))).toBe(
      "0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
    );
  });

  it("agrees with @noble/hashes on every length around the 128-byte block boundary and random inputs", () => {
    for (let n = 0; n <= 400; n++) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 17 + n) & 0xff);
      expect(blake2b256(d)).toEqual(blake2b(d, { dkLen: 32 }));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (d) => {
        expect(blake2b256(d)).toEqual(blake2b(d, { dkLen: 32 }));
      }),
      { seed: 43, numRuns: 300 },
    );
    const big = new Uint8Array(200_000).fill(9);
    expect(blake2b256(big)).toEqual(blake2b(big, { dkLen: 32 }));
  });
});
