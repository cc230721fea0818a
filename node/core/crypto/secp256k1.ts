/**
 * secp256k1 ECDSA for Ethereum signatures: public-key recovery (sender recovery) and signing.
 *
 * Recovery is the hot path of block import, so it goes to native libsecp256k1, in this order of preference:
 * - "system": our addon over the system's libsecp256k1 (native/recover/, built at install by
 *   native-build/build-secp.sh when libsecp256k1-dev is present; FASTEVM_SECP256K1=package turns it off),
 *   which recovers a whole batch in one call; Debian's 0.2 library recovers in about three quarters of the
 *   time the npm package's older bundled one takes (`pnpm bench tx`);
 * - "native": the `secp256k1` npm package's prebuilt binding (~10x faster than pure JS);
 * - "noble": @noble/curves, when neither loads, and the independent oracle the tests compare against.
 * All take a 32-byte message hash (no prehash).
 *
 * Range rules (r, s in [1, n-1]; low-s) are the caller's policy and live in `checkSignatureValues`;
 * the backends only report whether a point can be recovered.
 */
import { createRequire } from "node:module";
import { secp256k1 as noble } from "@noble/curves/secp256k1.js";
import { ErrorCode, FastEvmError } from "../errors.ts";
import { keccak256 } from "../hash.ts";

/** Order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** n / 2: EIP-2 (Homestead) rejects signatures with s above it, which removes the (r, n - s) twin. */
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

export type RecoveryBackend = "system" | "native" | "noble";

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

/** A native addon by module id, or null when it is absent or does not load on this platform. */
function loadAddon<T>(id: string): T | null {
  try {
    return createRequire(import.meta.url)(id) as T;
  } catch {
    return null;
  }
}

/** The npm package's prebuilt binding. */
const native = loadAddon<NativeSecp256k1>("secp256k1/bindings");

export function nativeSecp256k1Available(): boolean {
  return native !== null;
}

interface SystemSecp256k1 {
  /** records: n × (hash 32 ‖ r 32 ‖ s 32 ‖ recid 1); out: n × 65 (0x04 ‖ x ‖ y, zeros where none recovers) */
  recover(records: Uint8Array, out: Uint8Array): number;
}

/** The addon over the system's libsecp256k1, or null when it is not built (or turned off). */
const system =
  process.env.FASTEVM_SECP256K1 === "package"
    ? null
    : loadAddon<SystemSecp256k1>("../../../native/build/recover.node");

export function systemSecp256k1Available(): boolean {
  return system !== null;
}

/** The backend used when none is named: the system addon, else the npm binding, else noble. */
export const DEFAULT_BACKEND: RecoveryBackend =
  system !== null ? "system" : native !== null ? "native" : "noble";

/** One record of the system addon's input: hash (32) ‖ r (32) ‖ s (32) ‖ recovery id (1). */
const RECORD_BYTES = 97;
/** One key of its output: 0x04 ‖ x ‖ y, or zeros. */
const KEY_BYTES = 65;

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

/** The error of a signature from which no public key recovers. */
export function recoveryFailed(backend: RecoveryBackend, cause?: unknown): FastEvmError {
  return new FastEvmError(
    ErrorCode.TX_SENDER_RECOVERY,
    "signature does not recover to a public key",
    { backend },
    { cause },
  );
}

/** One recovery of a batch: the 32-byte message hash and the signature (r, s, recovery id 0/1). */
export interface RecoveryInput {
  readonly msgHash: Uint8Array;
  readonly r: bigint;
  readonly s: bigint;
  readonly recid: number;
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
  const address = recoverAddresses([{ msgHash, r, s, recid }], backend)[0];
  if (address === undefined) throw recoveryFailed(backend);
  return address;
}

/**
 * Recovers every input's signer: with the system addon in one native call for the whole batch, else one
 * by one. Each result is the 20-byte address, or undefined where no point recovers (a hash that is not 32
 * bytes included). Range and low-s checks are NOT done here.
 */
export function recoverAddresses(
  inputs: readonly RecoveryInput[],
  backend: RecoveryBackend = DEFAULT_BACKEND,
): (Uint8Array | undefined)[] {
  if (backend === "system" && system !== null) return recoverWithSystem(inputs, system);
  return inputs.map(({ msgHash, r, s, recid }) => {
    if (msgHash.length !== 32) return undefined;
    try {
      return recoverOne(msgHash, r, s, recid, backend);
    } catch (e) {
      if (e instanceof FastEvmError && e.code === ErrorCode.TX_SENDER_RECOVERY) return undefined;
      throw e;
    }
  });
}

function recoverWithSystem(
  inputs: readonly RecoveryInput[],
  addon: SystemSecp256k1,
): (Uint8Array | undefined)[] {
  const n = inputs.length;
  const records = new Uint8Array(n * RECORD_BYTES);
  const keys = new Uint8Array(n * KEY_BYTES);
  const usable = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const { msgHash, r, s, recid } = inputs[i]!;
    const at = i * RECORD_BYTES;
    // a malformed input recovers nothing: its record stays zero (r = 0 never parses)
    usable[i] = msgHash.length === 32 && r > 0n && s > 0n && r < 1n << 256n && s < 1n << 256n;
    if (!usable[i]) continue;
    records.set(msgHash, at);
    writeWord(records, at + 32, r);
    writeWord(records, at + 64, s);
    records[at + 96] = recid >= 0 && recid <= 3 ? recid : 4;
  }
  addon.recover(records, keys);
  const out = new Array<Uint8Array | undefined>(n);
  for (let i = 0; i < n; i++) {
    const key = keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
    out[i] = usable[i] && key[0] === 4 ? publicKeyToAddress(key) : undefined;
  }
  return out;
}

/** One recovery with the npm binding (also for "system" when the addon is not built), else noble. */
function recoverOne(
  msgHash: Uint8Array,
  r: bigint,
  s: bigint,
  recid: number,
  backend: RecoveryBackend,
): Uint8Array {
  if (backend !== "noble" && native !== null) {
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

const bigintOf = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString("hex") || "0"}`);

/**
 * Deterministic (RFC 6979) low-s signature of a 32-byte hash; for tests and tools (the load generator
 * signs tens of thousands), not consensus. Native libsecp256k1 when it loaded (about 100x faster), else
 * noble; both produce the same RFC 6979 signature.
 */
export function signHash(
  msgHash: Uint8Array,
  privateKey: Uint8Array,
  backend: RecoveryBackend = DEFAULT_BACKEND,
): EcdsaSignature {
  // the system addon only recovers: "system" signs with the npm binding
  if (backend !== "noble" && native !== null && msgHash.length === 32 && privateKey.length === 32) {
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
      r: bigintOf(out.signature.subarray(0, 32)),
      s: bigintOf(out.signature.subarray(32, 64)),
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
