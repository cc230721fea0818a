/**
 * The 256-bit arithmetic of `wasm/src/uint256.*` as the WASM build runs it (the native self tests cover the
 * native build): DIV, SDIV, MOD, SMOD, MUL, ADDMOD, MULMOD, EXP on random and edge-case operands, each
 * checked against bigint. One transaction per sample computes all eight results.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bigintToFixedBytes } from "../../../node/core/bytes.ts";
import { MemoryState } from "../../../node/evm/memoryState.ts";
import { prepareTransaction } from "../../../node/evm/transition.ts";
import { readWord } from "../../../wasm/bindings/evmCodec.ts";
import { sharedEvm } from "../../../wasm/bindings/evmModule.ts";
import { type BlockEnv, EvmStatus } from "../../../wasm/bindings/evmTypes.ts";

const M = 1n << 256n;
const MAX = M - 1n;
const SENDER = new Uint8Array(20).fill(0x11);
const CONTRACT = new Uint8Array(20).fill(0x22);
const ENV: BlockEnv = {
  coinbase: new Uint8Array(20).fill(0xcc),
  number: 1n,
  timestamp: 1n,
  gasLimit: 30_000_000n,
  prevRandao: new Uint8Array(32),
  baseFee: 0n,
  blobBaseFee: 1n,
  chainId: 1n,
};

/** a = calldata[0], b = calldata[32], m = calldata[64]; result k stored at memory 32k, all returned */
const OPS: { name: string; code: number; arity: 2 | 3; ref: (a: bigint, b: bigint, m: bigint) => bigint }[] =
  [
    { name: "DIV", code: 0x04, arity: 2, ref: (a, b) => (b === 0n ? 0n : a / b) },
    { name: "SDIV", code: 0x05, arity: 2, ref: (a, b) => (b === 0n ? 0n : wrap(signed(a) / signed(b))) },
    { name: "MOD", code: 0x06, arity: 2, ref: (a, b) => (b === 0n ? 0n : a % b) },
    { name: "SMOD", code: 0x07, arity: 2, ref: (a, b) => (b === 0n ? 0n : wrap(signed(a) % signed(b))) },
    { name: "MUL", code: 0x02, arity: 2, ref: (a, b) => (a * b) % M },
    { name: "ADDMOD", code: 0x08, arity: 3, ref: (a, b, m) => (m === 0n ? 0n : (a + b) % m) },
    { name: "MULMOD", code: 0x09, arity: 3, ref: (a, b, m) => (m === 0n ? 0n : (a * b) % m) },
    { name: "EXP", code: 0x0a, arity: 2, ref: (a, b) => modPow(a, b % 1024n) },
  ];
const signed = (x: bigint): bigint => (x >= 1n << 255n ? x - M : x);
const wrap = (x: bigint): bigint => ((x % M) + M) % M;
function modPow(base: bigint, e: bigint): bigint {
  let r = 1n;
  let b = base;
  for (let k = e; k > 0n; k >>= 1n) {
    if ((k & 1n) === 1n) r = (r * b) % M;
    b = (b * b) % M;
  }
  return r;
}

function program(): Uint8Array {
  const c: number[] = [];
  const load = (off: number) => c.push(0x60, off, 0x35); // PUSH1 off CALLDATALOAD
  OPS.forEach((op, k) => {
    if (op.arity === 3) load(64);
    if (op.name === "EXP") {
      // exponent b mod 1024 keeps the gas small: PUSH2 0x0400 (b) MOD
      c.push(0x61, 0x04, 0x00);
      load(32);
      c.push(0x06);
    } else {
      load(32);
    }
    load(0);
    c.push(op.code, 0x60, 32 * k, 0x52); // op, PUSH1 32k MSTORE
  });
  const size = 32 * OPS.length;
  c.push(0x61, size >> 8, size & 0xff, 0x60, 0x00, 0xf3); // PUSH2 size PUSH1 0 RETURN
  return new Uint8Array(c);
}

const state = new MemoryState();
state.set(SENDER, { nonce: 0n, balance: 10n ** 18n, code: new Uint8Array(0), storage: new Map() });
state.set(CONTRACT, { nonce: 1n, balance: 0n, code: program(), storage: new Map() });

function runWasm(a: bigint, b: bigint, m: bigint): bigint[] {
  const data = new Uint8Array(96);
  data.set(bigintToFixedBytes(a, 32), 0);
  data.set(bigintToFixedBytes(b, 32), 32);
  data.set(bigintToFixedBytes(m, 32), 64);
  const tx = prepareTransaction(
    {
      sender: SENDER,
      to: CONTRACT,
      nonce: 0n,
      value: 0n,
      gasLimit: 1_000_000n,
      data,
      gasPrice: 0n,
      accessList: [],
    },
    { env: ENV, gasAvailable: ENV.gasLimit },
    state,
  );
  const r = sharedEvm().execute(ENV, tx, state);
  expect(r.status).toBe(EvmStatus.SUCCESS);
  const view = new DataView(r.output.buffer, r.output.byteOffset, r.output.byteLength);
  return OPS.map((_, k) => readWord(view, 32 * k));
}

/**
 * Words that stress long division: uniform, one to four significant 64-bit limbs, limb and digit
 * boundaries (2^32k, 2^64k ± 1), all-ones runs, and values near a shared modulus.
 */
const edge = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 3n, MAX, MAX - 1n, 1n << 255n, (1n << 255n) - 1n, (1n << 255n) + 1n),
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: -2, max: 2 }))
    .map(([k, d]) => wrap((1n << BigInt(k)) + BigInt(d))),
  fc
    .tuple(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 255 }))
    .map(([n, s]) => wrap(((1n << BigInt(n)) - 1n) << BigInt(s))),
);
const limbs = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.bigInt({ min: 0n, max: MAX }))
  .map(([n, v]) => v >> BigInt(64 * (4 - n)));
const word = fc.oneof(fc.bigInt({ min: 0n, max: MAX }), limbs, edge);

function check(a: bigint, b: bigint, m: bigint): void {
  const got = runWasm(a, b, m);
  OPS.forEach((op, k) => {
    const want = op.ref(a, b, m);
    if (got[k] !== want)
      throw new Error(
        `${op.name}(0x${a.toString(16)}, 0x${b.toString(16)}, 0x${m.toString(16)}): got 0x${got[k]?.toString(16)}, want 0x${want.toString(16)}`,
      );
  });
}

describe("256-bit arithmetic in the WASM EVM against bigint", () => {
  it("agrees on random and edge-case operands", () => {
    fc.assert(
      fc.property(word, word, word, (a, b, m) => check(a, b, m)),
      { numRuns: 1500 },
    );
  });

  it("agrees where the Knuth quotient estimate needs its corrections", () => {
    // divisor top digit just above the normalisation boundary, numerator digits equal to it
    const cases: [bigint, bigint, bigint][] = [
      [MAX, (1n << 128n) + 1n, (1n << 192n) + 1n],
      [(1n << 255n) - 1n, (1n << 128n) - 1n, MAX],
      [MAX, MAX, (1n << 64n) + 1n],
      [MAX, MAX, (1n << 224n) - 1n],
      [
        0x8000000000000000ffffffffffffffff_0000000000000000_0000000000000001n,
        0x8000000000000000_0000000000000001n,
        0xffffffffffffffff_fffffffffffffffen,
      ],
      [
        0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn - 1n,
        MAX,
        0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
      ],
      [1n << 255n, MAX, (1n << 255n) + 1n],
    ];
    for (const [a, b, m] of cases) {
      check(a, b, m);
      check(b, a, m);
      check(a, m, b);
    }
  });
});
