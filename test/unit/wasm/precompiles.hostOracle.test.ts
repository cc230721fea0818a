/**
 * Host precompiles against @ethereumjs/evm's implementations on seeded random inputs: valid points
 * (multiples of the generators), infinity, off-curve points, coordinates >= p, truncated and oversized
 * input. ethereumjs has its own parsing, validation and ecrecover rules, so disagreement on any input
 * (success, failure or output bytes) flags a bug in either encoding or validation.
 */
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { getActivePrecompiles, NobleBN254, type PrecompileInput, paramsEVM } from "@ethereumjs/evm";
import { bn254 } from "@noble/curves/bn254.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SECP256K1_N, signHash } from "../../../node/core/crypto/secp256k1.ts";
import { bytesToHex } from "../../../node/core/hex.ts";
import { writeWord } from "../../../wasm/bindings/precompiles/words.ts";
import { hostPrecompile } from "../../../wasm/bindings/precompiles.ts";

const SEED = 0xb254;
const P = bn254.fields.Fp.ORDER;
const R = bn254.fields.Fr.ORDER;
const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, params: paramsEVM });
const precompiles = getActivePrecompiles(common);
const evm = { _bn254: new NobleBN254() };

/** ethereumjs output for a precompile call with ample gas: bytes as hex, or null on failure. */
async function oracle(id: number, input: Uint8Array): Promise<string | null> {
  const fn = precompiles.get(id.toString(16).padStart(40, "0"));
  if (fn === undefined) throw new Error(`no ethereumjs precompile ${id}`);
  const opts = { data: input, gasLimit: 10_000_000n, common, _EVM: evm } as unknown as PrecompileInput;
  const r = await fn(opts);
  return r.exceptionError === undefined ? bytesToHex(r.returnValue) : null;
}

function ours(id: number, input: Uint8Array): string | null {
  const out = hostPrecompile(id, input);
  return out === null ? null : bytesToHex(out);
}

const words = (values: readonly bigint[]): Uint8Array => {
  const out = new Uint8Array(32 * values.length);
  for (const [i, v] of values.entries()) writeWord(out, 32 * i, v);
  return out;
};

const scalar = fc.bigInt({ min: 1n, max: R - 1n });
const anyWord = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });

/** G1 point encodings: valid multiples, infinity, and several kinds of invalid. */
const g1 = fc.oneof(
  {
    arbitrary: scalar.map((k) => bn254.G1.Point.BASE.multiply(k).toAffine()).map((p) => [p.x, p.y]),
    weight: 5,
  },
  { arbitrary: fc.constant([0n, 0n]), weight: 1 },
  {
    arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: P - 1n }), fc.bigInt({ min: 0n, max: P - 1n })),
    weight: 1,
  },
  {
    arbitrary: scalar.map((k) => bn254.G1.Point.BASE.multiply(k).toAffine()).map((p) => [p.x, p.y + P]),
    weight: 1,
  },
  { arbitrary: fc.tuple(anyWord, anyWord), weight: 1 },
);

/** G2 point encodings in EIP-197 order (x_im, x_re, y_im, y_re). */
const g2 = fc.oneof(
  {
    arbitrary: scalar.map((k) => {
      const { x, y } = bn254.G2.Point.BASE.multiply(k).toAffine();
      return [x.c1, x.c0, y.c1, y.c0];
    }),
    weight: 5,
  },
  { arbitrary: fc.constant([0n, 0n, 0n, 0n]), weight: 1 },
  { arbitrary: fc.array(fc.bigInt({ min: 0n, max: P - 1n }), { minLength: 4, maxLength: 4 }), weight: 1 },
);

describe("host precompiles agree with @ethereumjs/evm", () => {
  it("bn254 add and mul", async () => {
    const cases = fc.sample(
      fc.record({ a: g1, b: g1, k: fc.oneof(scalar, anyWord, fc.constant(0n)), cut: fc.nat(140) }),
      { seed: SEED, numRuns: 150 },
    );
    for (const { a, b, k, cut } of cases) {
      const add = words([...a, ...b]);
      const addInput = cut < 128 && cut % 2 === 0 ? add.subarray(0, cut) : add;
      expect(ours(6, addInput), bytesToHex(addInput)).toBe(await oracle(6, addInput));
      const mulInput = words([...a, k]);
      expect(ours(7, mulInput), bytesToHex(mulInput)).toBe(await oracle(7, mulInput));
    }
  });

  it("bn254 pairing", async () => {
    const pair = fc.tuple(g1, g2);
    const cases = fc.sample(fc.array(pair, { maxLength: 2 }), { seed: SEED, numRuns: 25 });
    // Plus a product that is the identity: e(aG1, bG2) * e(-abG1, G2) = 1.
    const [a, b] = [5n, 7n];
    const p1 = bn254.G1.Point.BASE.multiply(a).toAffine();
    const q1 = bn254.G2.Point.BASE.multiply(b).toAffine();
    const p2 = bn254.G1.Point.BASE.multiply(a * b)
      .negate()
      .toAffine();
    const q2 = bn254.G2.Point.BASE.toAffine();
    const identity = words([
      p1.x,
      p1.y,
      q1.x.c1,
      q1.x.c0,
      q1.y.c1,
      q1.y.c0,
      p2.x,
      p2.y,
      q2.x.c1,
      q2.x.c0,
      q2.y.c1,
      q2.y.c0,
    ]);
    expect(ours(8, identity)).toBe(bytesToHex(words([1n])));
    const inputs = [identity, ...cases.map((pairs) => words(pairs.flatMap(([p, q]) => [...p, ...q])))];
    for (const input of inputs) {
      expect(ours(8, input), bytesToHex(input)).toBe(await oracle(8, input));
    }
  });

  it("ecrecover on valid, high-s and corrupted signatures", async () => {
    const cases = fc.sample(
      fc.record({
        key: fc.bigInt({ min: 1n, max: 2n ** 255n }),
        hash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        mutate: fc.constantFrom("none", "highS", "v", "r", "s", "truncate", "extra"),
      }),
      { seed: SEED, numRuns: 120 },
    );
    for (const { key, hash, mutate } of cases) {
      const keyBytes = words([key]);
      const sig = signHash(hash, keyBytes);
      let v = 27n + BigInt(sig.recovery);
      let { r, s } = sig;
      if (mutate === "highS") {
        s = SECP256K1_N - s;
        v = v === 27n ? 28n : 27n;
      }
      if (mutate === "v") v += 2n;
      if (mutate === "r") r = (r * 7n) % (1n << 256n);
      if (mutate === "s") s = 0n;
      let input = new Uint8Array([...hash, ...words([v, r, s])]);
      if (mutate === "truncate") input = input.subarray(0, 100);
      if (mutate === "extra") input = new Uint8Array([...input, 1, 2, 3]);
      expect(ours(1, input), bytesToHex(input)).toBe(await oracle(1, input));
    }
  });
});
