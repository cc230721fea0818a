/**
 * bn254 (alt_bn128) precompiles per EIP-196 (ECADD 0x06, ECMUL 0x07) and EIP-197 (pairing check 0x08),
 * over @noble/curves. Every coordinate must be a canonical field element (< p), (0, 0) encodes the
 * point at infinity, G1 points must lie on the curve and G2 points also in the order-r subgroup
 * (G2's cofactor is not 1). Any invalid input returns null: the call fails and consumes all its gas.
 */
import { bn254, bn254_Fr } from "@noble/curves/bn254.js";
import { readWord, rightPad, writeWord } from "./words.ts";

const { Fp, Fp2, Fp12 } = bn254.fields;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;

const P = Fp.ORDER;
const PAIR_LENGTH = 192;

function parseG1(data: Uint8Array, offset: number): G1Point | null {
  const x = readWord(data, offset);
  const y = readWord(data, offset + 32);
  if (x >= P || y >= P) return null;
  if (x === 0n && y === 0n) return G1.ZERO;
  try {
    const point = G1.fromAffine({ x, y });
    point.assertValidity();
    return point;
  } catch {
    return null;
  }
}

/** EIP-197 writes each Fp2 coordinate imaginary part first: (x_im, x_re, y_im, y_re). */
function parseG2(data: Uint8Array, offset: number): G2Point | null {
  const xIm = readWord(data, offset);
  const xRe = readWord(data, offset + 32);
  const yIm = readWord(data, offset + 64);
  const yRe = readWord(data, offset + 96);
  if (xIm >= P || xRe >= P || yIm >= P || yRe >= P) return null;
  if (xIm === 0n && xRe === 0n && yIm === 0n && yRe === 0n) return G2.ZERO;
  try {
    const point = G2.fromAffine({ x: Fp2.fromBigTuple([xRe, xIm]), y: Fp2.fromBigTuple([yRe, yIm]) });
    point.assertValidity(); // on the twist and torsion-free
    return point;
  } catch {
    return null;
  }
}

function encodeG1(point: G1Point): Uint8Array {
  const out = new Uint8Array(64);
  if (point.is0()) return out;
  const { x, y } = point.toAffine();
  writeWord(out, 0, x);
  writeWord(out, 32, y);
  return out;
}

export function bn254Add(input: Uint8Array): Uint8Array | null {
  const data = rightPad(input, 128);
  const a = parseG1(data, 0);
  const b = parseG1(data, 64);
  if (a === null || b === null) return null;
  return encodeG1(a.add(b));
}

export function bn254Mul(input: Uint8Array): Uint8Array | null {
  const data = rightPad(input, 96);
  const point = parseG1(data, 0);
  if (point === null) return null;
  // G1 has prime order r, so any 256-bit scalar acts as scalar mod r.
  const k = readWord(data, 64) % bn254_Fr.ORDER;
  return encodeG1(point.multiplyUnsafe(k));
}

/** 1 when the product of e(g1_i, g2_i) is the identity of GT (vacuously for no pairs), else 0. */
export function bn254Pairing(input: Uint8Array): Uint8Array | null {
  if (input.length % PAIR_LENGTH !== 0) return null;
  const pairs: { g1: G1Point; g2: G2Point }[] = [];
  for (let offset = 0; offset < input.length; offset += PAIR_LENGTH) {
    const g1 = parseG1(input, offset);
    const g2 = parseG2(input, offset + 64);
    if (g1 === null || g2 === null) return null;
    // A pair with infinity contributes the identity; noble rejects such pairs, so skip them.
    if (!g1.is0() && !g2.is0()) pairs.push({ g1, g2 });
  }
  const product = pairs.length === 0 ? Fp12.ONE : bn254.pairingBatch(pairs);
  const out = new Uint8Array(32);
  out[31] = Fp12.eql(product, Fp12.ONE) ? 1 : 0;
  return out;
}
