import { secp256k1 as noble } from "@noble/curves/secp256k1.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  nativeSecp256k1Available,
  privateKeyToAddress,
  recoverAddress,
  SECP256K1_HALF_N,
  SECP256K1_N,
  signHash,
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

describe("secp256k1", () => {
  it("loads the native binding on this platform", () => {
    expect(nativeSecp256k1Available()).toBe(true);
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
        expect(recoverAddress(hash, sig.r, sig.s, sig.recovery, "native")).toEqual(want);
        expect(recoverAddress(hash, sig.r, sig.s, sig.recovery, "noble")).toEqual(want);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("signHash (native) gives noble's deterministic RFC 6979 low-s signature", () => {
    fc.assert(
      fc.property(privateKey, fc.uint8Array({ minLength: 1, maxLength: 64 }), (key, msg) => {
        const hash = keccak256(msg);
        const ours = signHash(hash, key);
        const oracle = noble.Signature.fromBytes(
          noble.sign(hash, key, { prehash: false, lowS: true, format: "recovered" }),
          "recovered",
        );
        expect(ours).toEqual({ r: oracle.r, s: oracle.s, recovery: oracle.recovery });
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
          const run = (backend: "native" | "noble") => {
            try {
              return bytesToHex(recoverAddress(hash, r, s, recid, backend));
            } catch (e) {
              expect(isFastEvmError(e, "TX_SENDER_RECOVERY")).toBe(true);
              return "fail";
            }
          };
          expect(run("native")).toBe(run("noble"));
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("an r that is not the x of a curve point recovers nothing, with TX_SENDER_RECOVERY", () => {
    // x = 5 has no y on secp256k1 (5^3 + 7 = 132 is a non-residue mod p).
    const hash = keccak256(new Uint8Array([1]));
    for (const backend of ["native", "noble"] as const) {
      expect(() => recoverAddress(hash, 5n, 1n, 0, backend)).toThrow(
        expect.objectContaining({ code: "TX_SENDER_RECOVERY" }),
      );
    }
  });

  it("rejects an invalid private key with a FastEvmError", () => {
    expect(() => signHash(new Uint8Array(32), new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => privateKeyToAddress(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});
