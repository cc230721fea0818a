/**
 * secp256k1 ECDSA for Ethereum signatures: public-key recovery (sender recovery) and signing.
 *
 * Recovery is the hot path of block import, so it goes to the native libsecp256k1 binding (`secp256k1`
 * prebuilt addon, ~10x faster than pure JS). @noble/curves is the fallback when the addon cannot load
 * and the independent oracle the tests compare against. Both take a 32-byte message hash (no prehash).
 *
 * Range rules (r, s in [1, n-1]; low-s) are the caller's policy and live in `checkSignatureValues`;
 * the backends only report whether a point can be recovered.
 */
import { createRequire } from "node:module";
import { secp256k1 as noble } from "@noble/curves/secp256k1.js";
import { bytesToBigint } from "../bytes.ts";
import { ErrorCode, FastEvmError } from "../errors.ts";
import { keccak256 } from "../hash.ts";

/** Order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** n / 2: EIP-2 (Homestead) rejects signatures with s above it, which removes the (r, n - s) twin. */
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

export type RecoveryBackend = "native" | "noble";

interface NativeSecp256k1 {
  ecdsaRecover(
    sig: Uint8Array,
    recid: number,
    msg32: Uint8Array,
    compressed: boolean,
    output?: Uint8Array,
  ): Uint8Array;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
}

/** The native binding, or null when the prebuilt addon does not load on this platform. */
const native: NativeSecp256k1 | null = (() => {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return null;
  }
})();

export function nativeSecp256k1Available(): boolean {
  return native !== null;
}

/** The backend used when none is named: native when it loaded. */
export const DEFAULT_BACKEND: RecoveryBackend = native !== null ? "native" : "noble";

/** ASCII code of a lower-case hex digit → its value. */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

/** Writes `v` (0 <= v < 2^256) as 32 big-endian bytes into `out` at `offset`. */
export function writeWord(out: Uint8Array, offset: number, v: bigint): void {
  const hex = v.toString(16);
  if (v < 0n || hex.length > 64)
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, "value does not fit in 32 bytes");
  // Walk the hex string from its end so no padded copy is built; untouched leading bytes are zeroed.
  let j = hex.length - 1;
  let i = 31;
  for (; i >= 0 && j >= 0; i--) {
    const lo = NIBBLE[hex.charCodeAt(j--)]!;
    const hi = j >= 0 ? NIBBLE[hex.charCodeAt(j--)]! : 0;
    out[offset + i] = (hi << 4) | lo;
  }
  for (; i >= 0; i--) out[offset + i] = 0;
}

/** Ethereum address of an uncompressed public key (65 bytes, 0x04 prefix): keccak256(x || y)[12..32]. */
export function publicKeyToAddress(pub65: Uint8Array): Uint8Array {
  return keccak256(pub65.subarray(1, 65)).subarray(12);
}

function recoveryFailed(backend: RecoveryBackend, cause?: unknown): FastEvmError {
  return new FastEvmError(
    ErrorCode.TX_SENDER_RECOVERY,
    "signature does not recover to a public key",
    { backend },
    { cause },
  );
}

/**
 * Recovers the signer's 20-byte address from a 32-byte message hash and (r, s, recovery id 0/1).
 * Throws TX_SENDER_RECOVERY when no point matches. Range and low-s checks are NOT done here.
 */
export function recoverAddress(
  msgHash: Uint8Array,
  r: bigint,
  s: bigint,
  recid: number,
  backend: RecoveryBackend = DEFAULT_BACKEND,
): Uint8Array {
  if (backend === "native" && native !== null) {
    const sig = new Uint8Array(64);
    writeWord(sig, 0, r);
    writeWord(sig, 32, s);
    let pub: Uint8Array;
    try {
      pub = native.ecdsaRecover(sig, recid, msgHash, false);
    } catch (e) {
      throw recoveryFailed("native", e);
    }
    return publicKeyToAddress(pub);
  }
  let pub: Uint8Array;
  try {
    pub = new noble.Signature(r, s, recid).recoverPublicKey(msgHash).toBytes(false);
  } catch (e) {
    throw recoveryFailed("noble", e);
  }
  return publicKeyToAddress(pub);
}

export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
  /** recovery id: parity of R.y (0 or 1) */
  readonly recovery: 0 | 1;
}

/**
 * Deterministic (RFC 6979) low-s signature of a 32-byte hash; for tests and tools, not consensus. Native
 * libsecp256k1 when it loaded (the same signature as noble's, ~40x faster), else @noble/curves.
 */
export function signHash(msgHash: Uint8Array, privateKey: Uint8Array): EcdsaSignature {
  if (native !== null) {
    let out: { signature: Uint8Array; recid: number };
    try {
      out = native.ecdsaSign(msgHash, privateKey);
    } catch (e) {
      throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, "cannot sign: invalid private key", undefined, {
        cause: e,
      });
    }
    const recovery = out.recid;
    if (recovery !== 0 && recovery !== 1)
      throw new FastEvmError(ErrorCode.INTERNAL, "unexpected recovery id");
    return {
      r: bytesToBigint(out.signature.subarray(0, 32)),
      s: bytesToBigint(out.signature.subarray(32, 64)),
      recovery,
    };
  }
  let sig: Uint8Array;
  try {
    sig = noble.sign(msgHash, privateKey, { prehash: false, lowS: true, format: "recovered" });
  } catch (e) {
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, "cannot sign: invalid private key", undefined, {
      cause: e,
    });
  }
  const parsed = noble.Signature.fromBytes(sig, "recovered");
  const recovery = parsed.recovery;
  if (recovery !== 0 && recovery !== 1) throw new FastEvmError(ErrorCode.INTERNAL, "unexpected recovery id");
  return { r: parsed.r, s: parsed.s, recovery };
}

/** Address controlled by a 32-byte private key. */
export function privateKeyToAddress(privateKey: Uint8Array): Uint8Array {
  let pub: Uint8Array;
  try {
    pub = noble.getPublicKey(privateKey, false);
  } catch (e) {
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, "invalid private key", undefined, { cause: e });
  }
  return publicKeyToAddress(pub);
}
