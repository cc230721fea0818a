import { bn254 } from "@noble/curves/bn254.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { privateKeyToAddress, SECP256K1_N, signHash } from "../../../node/core/crypto/secp256k1.ts";
import { bytesToHex, hexToBytes } from "../../../node/core/hex.ts";
import { BLS_MODULUS } from "../../../wasm/bindings/precompiles/pointEvaluation.ts";
import { writeWord } from "../../../wasm/bindings/precompiles/words.ts";
import { hostPrecompile, preloadPointEvaluation } from "../../../wasm/bindings/precompiles.ts";

const P = bn254.fields.Fp.ORDER;
const hex = (b: Uint8Array | null): string | null => (b === null ? null : bytesToHex(b));

function words(...values: bigint[]): Uint8Array {
  const out = new Uint8Array(32 * values.length);
  for (const [i, v] of values.entries()) writeWord(out, 32 * i, v);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** EIP-197 G2 encoding: (x_im, x_re, y_im, y_re). */
function g2Bytes(point: InstanceType<typeof bn254.G2.Point>): Uint8Array {
  if (point.is0()) return new Uint8Array(128);
  const { x, y } = point.toAffine();
  return words(x.c1, x.c0, y.c1, y.c0);
}

describe("ecrecover (0x01)", () => {
  const key = hexToBytes("0x4646464646464646464646464646464646464646464646464646464646464646");
  const hash = sha256(new TextEncoder().encode("fastevm"));
  const sig = signHash(hash, key);
  const expected = concat(new Uint8Array(12), privateKeyToAddress(key));
  const input = (v: bigint, r: bigint, s: bigint) => concat(hash, words(v, r, s));

  it("recovers the signer as a left-padded word", () => {
    expect(hex(hostPrecompile(1, input(27n + BigInt(sig.recovery), sig.r, sig.s)))).toBe(
      bytesToHex(expected),
    );
  });

  it("accepts high s (no EIP-2 rule in the precompile)", () => {
    const flipped = 28n - BigInt(sig.recovery);
    expect(hex(hostPrecompile(1, input(flipped, sig.r, SECP256K1_N - sig.s)))).toBe(bytesToHex(expected));
  });

  it("returns empty output (not failure) for bad v, r or s", () => {
    const v = 27n + BigInt(sig.recovery);
    for (const bad of [
      input(29n, sig.r, sig.s),
      input(v + (1n << 255n), sig.r, sig.s),
      input(v, 0n, sig.s),
      input(v, sig.r, 0n),
      input(v, SECP256K1_N, sig.s),
      input(v, sig.r, SECP256K1_N),
      new Uint8Array(0),
    ]) {
      expect(hostPrecompile(1, bad)).toEqual(new Uint8Array(0));
    }
  });

  it("returns empty output when r is not the x of a curve point", () => {
    // x = 5 has no y on secp256k1 (5^3 + 7 = 132 is not a square mod p).
    expect(() => secp256k1.Point.fromHex(`02${"0".repeat(63)}5`)).toThrow();
    expect(hostPrecompile(1, input(27n, 5n, 1n))).toEqual(new Uint8Array(0));
  });

  it("zero-pads short input", () => {
    const full = input(27n + BigInt(sig.recovery), sig.r, sig.s);
    const s0 = concat(hash, words(27n + BigInt(sig.recovery), sig.r, sig.s & ~0xffn));
    expect(hex(hostPrecompile(1, s0.subarray(0, 127)))).toBe(hex(hostPrecompile(1, s0)));
    expect(hostPrecompile(1, full)?.length).toBe(32);
  });
});

describe("bn254 add/mul (0x06, 0x07; EIP-196)", () => {
  const G = bn254.G1.Point.BASE;
  const g2x = 0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3n;
  const g2y = 0x15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4n;

  it("adds and doubles the generator (1, 2)", () => {
    expect(hex(hostPrecompile(6, words(1n, 2n, 1n, 2n)))).toBe(hex(words(g2x, g2y)));
    expect(hex(hostPrecompile(7, words(1n, 2n, 2n)))).toBe(hex(words(g2x, g2y)));
  });

  it("treats (0, 0) as infinity and zero-pads input", () => {
    expect(hex(hostPrecompile(6, new Uint8Array(0)))).toBe(hex(new Uint8Array(64)));
    expect(hex(hostPrecompile(6, words(1n, 2n)))).toBe(hex(words(1n, 2n)));
    expect(hex(hostPrecompile(7, words(1n, 2n)))).toBe(hex(new Uint8Array(64)));
    expect(hex(hostPrecompile(6, words(1n, 2n, 1n, P - 2n)))).toBe(hex(new Uint8Array(64)));
  });

  it("multiplies by scalars >= r as scalar mod r", () => {
    const r = bn254.fields.Fr.ORDER;
    expect(hex(hostPrecompile(7, words(1n, 2n, r + 2n)))).toBe(hex(words(g2x, g2y)));
    expect(hex(hostPrecompile(7, words(1n, 2n, r)))).toBe(hex(new Uint8Array(64)));
    const k = (1n << 256n) - 1n;
    const { x, y } = G.multiply(k % r).toAffine();
    expect(hex(hostPrecompile(7, words(1n, 2n, k)))).toBe(hex(words(x, y)));
  });

  it("fails on points off the curve or coordinates >= p", () => {
    expect(hostPrecompile(6, words(1n, 3n, 1n, 2n))).toBeNull();
    expect(hostPrecompile(6, words(1n, 2n + P, 0n, 0n))).toBeNull();
    expect(hostPrecompile(6, words(P, 0n, 0n, 0n))).toBeNull(); // (p, 0) is not a second spelling of infinity
    expect(hostPrecompile(7, words(0n, 1n, 1n))).toBeNull();
  });
});

describe("bn254 pairing (0x08; EIP-197)", () => {
  const g1 = words(1n, 2n);
  const negG1 = words(1n, P - 2n);
  const g2 = g2Bytes(bn254.G2.Point.BASE);
  const one = hex(words(1n));
  const zero = hex(words(0n));

  it("e(G1, G2) * e(-G1, G2) = 1, e(G1, G2)^2 != 1", () => {
    expect(hex(hostPrecompile(8, concat(g1, g2, negG1, g2)))).toBe(one);
    expect(hex(hostPrecompile(8, concat(g1, g2, g1, g2)))).toBe(zero);
  });

  it("bilinearity: e(2*G1, G2) * e(-G1, 2*G2) = 1", () => {
    const twoG1 = bn254.G1.Point.BASE.double().toAffine();
    const twoG2 = g2Bytes(bn254.G2.Point.BASE.double());
    expect(hex(hostPrecompile(8, concat(words(twoG1.x, twoG1.y), g2, negG1, twoG2)))).toBe(one);
  });

  it("empty input and pairs with infinity are the identity", () => {
    expect(hex(hostPrecompile(8, new Uint8Array(0)))).toBe(one);
    expect(hex(hostPrecompile(8, concat(new Uint8Array(64), g2)))).toBe(one);
    expect(hex(hostPrecompile(8, concat(g1, new Uint8Array(128))))).toBe(one);
  });

  it("fails on bad length, off-curve points and G2 points outside the subgroup", () => {
    expect(hostPrecompile(8, concat(g1, g2).subarray(0, 191))).toBeNull();
    expect(hostPrecompile(8, concat(words(1n, 3n), g2))).toBeNull();
    const badG2 = g2.slice();
    badG2[127] = (badG2[127] ?? 0) ^ 1;
    expect(hostPrecompile(8, concat(g1, badG2))).toBeNull();
    // A point on the twist outside the order-r subgroup: x = 1, y = sqrt(1 + b').
    const { Fp2 } = bn254.fields;
    const b = bn254.G2.Point.CURVE().b;
    const x = Fp2.ONE;
    const y = Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), b));
    const off = bn254.G2.Point.fromAffine({ x, y });
    expect(off.isTorsionFree()).toBe(false);
    expect(hostPrecompile(8, concat(g1, g2Bytes(off)))).toBeNull();
    // Even paired with infinity in G1, the G2 point must be valid.
    expect(hostPrecompile(8, concat(new Uint8Array(64), g2Bytes(off)))).toBeNull();
    const bigCoord = concat(words(0n, P), g2.subarray(64));
    expect(hostPrecompile(8, concat(g1, bigCoord))).toBeNull();
  });
});

describe("KZG point evaluation (0x0a; EIP-4844)", () => {
  // The zero polynomial: commitment and proof are the G1 point at infinity, p(z) = 0 for every z.
  const infinity = concat(new Uint8Array([0xc0]), new Uint8Array(47));
  const versionedHash = sha256(infinity);
  versionedHash[0] = 1;
  const call = (hash: Uint8Array, z: bigint, y: bigint) =>
    hostPrecompile(10, concat(hash, words(z, y), infinity, infinity));
  const success = hex(words(4096n, BLS_MODULUS));

  it("verifies the zero polynomial at any z and returns the blob constants", () => {
    expect(hex(call(versionedHash, 0n, 0n))).toBe(success);
    expect(hex(call(versionedHash, 12345n, 0n))).toBe(success);
  });

  it("fails on a wrong y, a wrong versioned hash, non-canonical scalars or wrong length", () => {
    expect(call(versionedHash, 1n, 1n)).toBeNull();
    const v2 = versionedHash.slice();
    v2[0] = 2;
    expect(call(v2, 1n, 0n)).toBeNull();
    expect(call(versionedHash, BLS_MODULUS, 0n)).toBeNull();
    expect(call(versionedHash, 0n, BLS_MODULUS)).toBeNull();
    expect(hostPrecompile(10, new Uint8Array(191))).toBeNull();
  });

  it("unknown ids are failures", () => {
    expect(hostPrecompile(2, new Uint8Array(0))).toBeNull();
    expect(hostPrecompile(11, new Uint8Array(0))).toBeNull();
  });
});

describe("preloadPointEvaluation", () => {
  it("loads and self-checks the KZG verifier", () => {
    expect(() => preloadPointEvaluation()).not.toThrow();
  });
});
