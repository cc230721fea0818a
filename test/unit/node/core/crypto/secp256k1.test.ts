import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_BACKEND,
  nativeSecp256k1Available,
  privateKeyToAddress,
  type RecoveryBackend,
  type RecoveryInput,
  recoverAddress,
  recoverAddresses,
  SECP256K1_HALF_N,
  SECP256K1_N,
  signHash,
  systemSecp256k1Available,
  writeWord,
} from "../../../../../node/core/crypto/secp256k1.ts";
import { isFastEvmError } from "../../../../../node/core/errors.ts";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";

const SEED = 424242;
const privateKey = fc.bigInt(1n, SECP256K1_N - 1n).map((k) => {
  const out = new Uint8Array(32);
  writeWord(out, 0, k);
  return out;
});

const BACKENDS = ["system", "native", "noble"] as const;

describe("secp256k1", () => {
  it("loads the native binding on this platform", () => {
    expect(nativeSecp256k1Available()).toBe(true);
  });

  it("loads the system-libsecp256k1 addon where .ci/run built it, and prefers it", () => {
    // .ci/run installs libsecp256k1-dev and builds native/build/recover.node; elsewhere it is optional
    if (process.env.CI !== undefined) expect(systemSecp256k1Available()).toBe(true);
    expect(DEFAULT_BACKEND).toBe(systemSecp256k1Available() ? "system" : "native");
  });

  it("derives the well-known address of private key 1", () => {
    const one = hexToBytes(`0x${"00".repeat(31)}01`);
    expect(bytesToHex(privateKeyToAddress(one))).toBe("0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
  });

  it("writeWord writes 32 big-endian bytes and rejects values above 2^256 - 1", () => {
    const out = new Uint8Array(34).fill(0xee);
    writeWord(out, 1, 0x1234n);
    expect(bytesToHex(out)).toBe(`0xee${"00".repeat(30)}1234ee`);
    writeWord(out, 1, (1n << 256n) - 1n);
    expect(bytesToHex(out)).toBe(`0xee${"ff".repeat(32)}ee`);
    expect(() => writeWord(out, 0, 1n << 256n)).toThrow(/32 bytes/);
  });

  it("signatures are low-s and native and noble recovery both return the signer", () => {
    fc.assert(
      fc.property(privateKey, fc.uint8Array({ minLength: 1, maxLength: 64 }), (key, msg) => {
        const hash = keccak256(msg);
        const sig = signHash(hash, key);
        expect(sig.s <= SECP256K1_HALF_N).toBe(true);
        const want = privateKeyToAddress(key);
        for (const backend of BACKENDS)
          expect(recoverAddress(hash, sig.r, sig.s, sig.recovery, backend)).toEqual(want);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("native and noble signing give the same RFC 6979 signature", () => {
    fc.assert(
      fc.property(privateKey, fc.uint8Array({ minLength: 1, maxLength: 64 }), (key, msg) => {
        const hash = keccak256(msg);
        expect(signHash(hash, key, "native")).toEqual(signHash(hash, key, "noble"));
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("native and noble agree on arbitrary (r, s, recid), including recovering nothing", () => {
    fc.assert(
      fc.property(
        fc.bigInt(1n, SECP256K1_N - 1n),
        fc.bigInt(1n, SECP256K1_N - 1n),
        fc.constantFrom(0, 1),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (r, s, recid, hash) => {
          const run = (backend: RecoveryBackend) => {
            try {
              return bytesToHex(recoverAddress(hash, r, s, recid, backend));
            } catch (e) {
              expect(isFastEvmError(e, "TX_SENDER_RECOVERY")).toBe(true);
              return "fail";
            }
          };
          const noble = run("noble");
          expect(run("native")).toBe(noble);
          expect(run("system")).toBe(noble);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("an r that is not the x of a curve point recovers nothing, with TX_SENDER_RECOVERY", () => {
    // x = 5 has no y on secp256k1 (5^3 + 7 = 132 is a non-residue mod p).
    const hash = keccak256(new Uint8Array([1]));
    for (const backend of BACKENDS) {
      expect(() => recoverAddress(hash, 5n, 1n, 0, backend)).toThrow(
        expect.objectContaining({ code: "TX_SENDER_RECOVERY" }),
      );
    }
  });

  it("rejects an invalid private key with a FastEvmError", () => {
    for (const backend of ["native", "noble"] as const)
      expect(() => signHash(new Uint8Array(32), new Uint8Array(32), backend)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    expect(() => privateKeyToAddress(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });

  it("a batch recovers as one-by-one noble does, valid and unrecoverable inputs mixed", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            // a real signature
            fc.tuple(privateKey, fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([key, hash]) => {
              const sig = signHash(hash, key);
              return { msgHash: hash, r: sig.r, s: sig.s, recid: sig.recovery };
            }),
            // anything in range, often not a point
            fc.record({
              msgHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
              r: fc.bigInt(1n, SECP256K1_N - 1n),
              s: fc.bigInt(1n, SECP256K1_N - 1n),
              recid: fc.constantFrom(0, 1),
            }),
            // out of every backend's domain: r or s zero, a short hash
            fc.constantFrom<RecoveryInput>(
              { msgHash: new Uint8Array(32).fill(1), r: 0n, s: 1n, recid: 0 },
              { msgHash: new Uint8Array(32).fill(1), r: 1n, s: 0n, recid: 1 },
              { msgHash: new Uint8Array(31).fill(1), r: 1n, s: 1n, recid: 0 },
            ),
          ),
          { maxLength: 40 },
        ),
        (inputs) => {
          const hex = (xs: (Uint8Array | undefined)[]) =>
            xs.map((x) => (x === undefined ? "-" : bytesToHex(x)));
          const want = hex(recoverAddresses(inputs, "noble"));
          expect(hex(recoverAddresses(inputs, "system"))).toEqual(want);
          expect(hex(recoverAddresses(inputs, "native"))).toEqual(want);
        },
      ),
      { seed: SEED, numRuns: 30 },
    );
  });

  it.runIf(systemSecp256k1Available())("the addon refuses malformed arguments with a TypeError", () => {
    const addon = createRequire(import.meta.url)("../../../../../native/build/recover.node") as {
      recover(...args: unknown[]): number;
    };
    expect(() => addon.recover(new Uint8Array(97))).toThrow(TypeError);
    expect(() => addon.recover(new Uint8Array(96), new Uint8Array(65))).toThrow(/97-byte records/);
    expect(() => addon.recover(new Uint8Array(194), new Uint8Array(65))).toThrow(/65 bytes per record/);
    expect(() => addon.recover(new Uint16Array(97), new Uint8Array(65))).toThrow(TypeError);
    expect(() => addon.recover("x", new Uint8Array(65))).toThrow(TypeError);
    // a zero record recovers nothing: zeros out, one failure counted
    const out = new Uint8Array(65).fill(9);
    expect(addon.recover(new Uint8Array(97), out)).toBe(1);
    expect(out.every((b) => b === 0)).toBe(true);
  });
});
