/**
 * Seeded random EVM programs for differential testing: structured snippets (arithmetic on edge values,
 * memory, storage, transient storage, calls, creates, logs, reverts) that keep the stack balanced, so
 * most programs run to the end or to a deliberate halt; random gas limits cut them off at every point.
 */
import fc from "fast-check";

const EDGE: readonly bigint[] = [
  0n,
  1n,
  2n,
  31n,
  32n,
  255n,
  256n,
  (1n << 64n) - 1n,
  1n << 128n,
  (1n << 255n) - 1n,
  1n << 255n,
  (1n << 256n) - 1n,
  (1n << 256n) - 2n,
];

export const ADDR_A = "00000000000000000000000000000000000000aa";
export const ADDR_B = "00000000000000000000000000000000000000bb";
const EMPTY = "00000000000000000000000000000000000000cc";

function push(v: bigint): string {
  if (v === 0n) return "5f";
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const n = hex.length / 2;
  return (0x5f + n).toString(16) + hex;
}

const value = fc.oneof(
  fc.constantFrom(...EDGE),
  fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
  fc.bigInt({ min: 0n, max: 300n }),
);
const smallOffset = fc.oneof(fc.bigInt({ min: 0n, max: 200n }), fc.constant(1n << 40n));
const binaryOps = [
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "07",
  "0a",
  "0b",
  "10",
  "11",
  "12",
  "13",
  "14",
  "16",
  "17",
  "18",
  "1a",
  "1b",
  "1c",
  "1d",
];
const ternaryOps = ["08", "09"];

/** One stack-neutral snippet (hex). `slot` accumulates results in memory so outputs depend on them. */
const snippet = (callee: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .tuple(value, value, fc.constantFrom(...binaryOps), fc.nat(7))
      .map(([a, b, op, m]) => `${push(b)}${push(a)}${op}${push(BigInt(m * 32))}52`),
    fc
      .tuple(value, value, value, fc.constantFrom(...ternaryOps))
      .map(([a, b, c, op]) => `${push(c)}${push(b)}${push(a)}${op}5f52`),
    fc.tuple(value, smallOffset).map(([v, o]) => `${push(v)}${push(o)}52`),
    fc.tuple(smallOffset).map(([o]) => `${push(o)}5150`),
    fc
      .tuple(smallOffset, smallOffset, fc.bigInt({ min: 0n, max: 100n }))
      .map(([d, s, n]) => `${push(n)}${push(s)}${push(d)}5e`),
    fc
      .tuple(fc.bigInt({ min: 0n, max: 3n }), fc.constantFrom(0n, 1n, 2n))
      .map(([k, v]) => `${push(v)}${push(k)}55`),
    fc.bigInt({ min: 0n, max: 3n }).map((k) => `${push(k)}545f52`),
    fc
      .tuple(fc.bigInt({ min: 0n, max: 3n }), value)
      .map(([k, v]) => `${push(v)}${push(k)}5d${push(k)}5c5f52`),
    fc.tuple(smallOffset, fc.bigInt({ min: 0n, max: 64n })).map(([o, n]) => `${push(n)}${push(o)}205f52`),
    fc
      .tuple(fc.nat(2), fc.bigInt({ min: 0n, max: 64n }))
      .map(([t, n]) => `${"5f".repeat(t)}${push(n)}5f${(0xa0 + t).toString(16)}`),
    // CALL / DELEGATECALL / STATICCALL to the callee, an empty account or a precompile, result stored
    fc
      .tuple(
        fc.constantFrom("f1", "f4", "fa"),
        fc.constantFrom(callee, EMPTY, "02", "04"),
        fc.bigInt({ min: 0n, max: 60000n }),
        fc.constantFrom(0n, 1n),
      )
      .map(([op, to, gas, v]) => {
        const val = op === "f1" ? push(v) : "";
        return `${push(32n)}5f${push(32n)}5f${val}73${to.padStart(40, "0")}${push(gas)}${op}${push(64n)}52`;
      }),
    // CREATE of a tiny contract (returns one STOP byte) or CREATE2, address stored
    fc
      .tuple(fc.boolean(), value)
      .map(
        ([two, salt]) =>
          `665f5f5360015ff35f52${two ? `${push(salt)}600760195ff5` : "600760195ff0"}${push(96n)}52`,
      ),
    fc.constant("3d5f5f3e"),
  );

export interface Program {
  readonly main: string;
  readonly callee: string;
  readonly gasLimit: bigint;
  readonly value: bigint;
}

const ending = fc.constantFrom("61010060" + "00f3", "60406000fd", "fe", "00", "33ff");

export const programArb: fc.Arbitrary<Program> = fc.record({
  main: fc
    .tuple(fc.array(snippet(ADDR_B), { minLength: 1, maxLength: 12 }), ending)
    .map(([s, e]) => s.join("") + e),
  callee: fc
    .tuple(fc.array(snippet(ADDR_A), { minLength: 0, maxLength: 6 }), ending)
    .map(([s, e]) => s.join("") + e),
  gasLimit: fc.oneof(fc.bigInt({ min: 21000n, max: 120000n }), fc.constant(1000000n)),
  value: fc.constantFrom(0n, 1n, 1000n),
});
