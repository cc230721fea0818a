/**
 * Ed25519 protocol keys over `node:crypto`: signing own blocks and verifying everyone else's. Public keys
 * travel as raw 32 bytes (committee file); `node:crypto` wants KeyObjects, built once per key and cached.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import type { SignedBlock, UnsignedBlock } from "../core/wire/consensus.ts";
import { signingMessage } from "./mysticeti/block.ts";
import type { BlockSigning, SignatureVerifier } from "./mysticeti/signing.ts";

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString("base64url");
}

/** KeyObject for a raw Ed25519 public key. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32)
    throw new FastEvmError(ErrorCode.CONSENSUS_KEY_INVALID, "Ed25519 public key must be 32 bytes");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(raw) }, format: "jwk" });
}

/** Raw 32-byte seed and public key of an Ed25519 key pair. */
export interface Ed25519KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateEd25519(): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return {
    secretKey: new Uint8Array(Buffer.from(jwk.d ?? "", "base64url")),
    publicKey: new Uint8Array(Buffer.from(jwk.x ?? "", "base64url")),
  };
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The key pair of a 32-byte Ed25519 seed (deterministic test committees, key files). */
export function ed25519FromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32)
    throw new FastEvmError(ErrorCode.CONSENSUS_KEY_INVALID, "Ed25519 seed must be 32 bytes");
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const jwk = key.export({ format: "jwk" });
  return {
    secretKey: new Uint8Array(seed),
    publicKey: new Uint8Array(Buffer.from(jwk.x ?? "", "base64url")),
  };
}

/** Signs this validator's blocks. */
export class BlockSigner implements BlockSigning {
  private readonly key: KeyObject;

  constructor(pair: Ed25519KeyPair) {
    if (pair.secretKey.length !== 32 || pair.publicKey.length !== 32) {
      throw new FastEvmError(ErrorCode.CONSENSUS_KEY_INVALID, "Ed25519 keys must be 32 bytes");
    }
    this.key = createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", d: b64url(pair.secretKey), x: b64url(pair.publicKey) },
      format: "jwk",
    });
  }

  sign(block: UnsignedBlock): SignedBlock {
    const signature = new Uint8Array(sign(null, signingMessage(block), this.key));
    return { ...block, signature };
  }
}

export class Ed25519Verifier implements SignatureVerifier {
  private readonly keys: KeyObject[];

  constructor(publicKeys: readonly Uint8Array[]) {
    this.keys = publicKeys.map(ed25519PublicKey);
  }

  verify(block: SignedBlock): boolean {
    const key = this.keys[block.author];
    if (key === undefined || block.signature.length !== 64) return false;
    return verify(null, signingMessage(block), key, block.signature);
  }
}
