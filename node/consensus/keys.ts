/**
 * Validator key material and its file formats (pure: the CLI does the file I/O).
 * - protocol key: Ed25519, signs DAG blocks (committee `protocolKey`);
 * - network key: Ed25519, the libp2p identity (committee `peerId`);
 * - fee recipient: secp256k1, the address credited when the validator leads a commit.
 * Secret files hold `{ type, secretKey }` as hex JSON; the public `validator.json` is what
 * `fastevm committee` reads.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { privateKeyToAddress } from "../core/crypto/secp256k1.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex, hexToBytes } from "../core/hex.ts";
import { type Ed25519KeyPair, ed25519FromSeed, generateEd25519 } from "./signer.ts";

export interface SecretKeyFile {
  readonly type: "ed25519" | "secp256k1";
  readonly secretKey: string;
}

export interface ValidatorPublicFile {
  readonly protocolKey: string;
  readonly peerId: string;
  readonly feeRecipient: string;
}

export interface ValidatorKeys {
  readonly protocol: Ed25519KeyPair;
  readonly network: Ed25519KeyPair;
  readonly feeRecipientKey: Uint8Array;
}

export function generateValidatorKeys(): ValidatorKeys {
  return {
    protocol: generateEd25519(),
    network: generateEd25519(),
    feeRecipientKey: secp256k1.utils.randomSecretKey(),
  };
}

export function secretKeyFile(type: SecretKeyFile["type"], secret: Uint8Array): SecretKeyFile {
  return { type, secretKey: bytesToHex(secret) };
}

/** Parses a secret key file; returns the 32-byte secret. */
export function parseSecretKeyFile(json: unknown, type: SecretKeyFile["type"]): Uint8Array {
  const o = json as Partial<SecretKeyFile> | null;
  if (o === null || typeof o !== "object" || o.type !== type || typeof o.secretKey !== "string") {
    throw new FastEvmError(ErrorCode.CONSENSUS_KEY_INVALID, `not a ${type} key file`);
  }
  return hexToBytes(o.secretKey, 32);
}

export function ed25519FromKeyFile(json: unknown): Ed25519KeyPair {
  return ed25519FromSeed(parseSecretKeyFile(json, "ed25519"));
}

export function validatorPublicFile(keys: ValidatorKeys): ValidatorPublicFile {
  return {
    protocolKey: bytesToHex(keys.protocol.publicKey),
    peerId: peerIdFromEd25519(keys.network.publicKey),
    feeRecipient: bytesToHex(privateKeyToAddress(keys.feeRecipientKey)),
  };
}

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export function base58btc(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  while (n > 0n) {
    out = B58[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/**
 * libp2p peer id of an Ed25519 public key: the identity multihash (0x00, length 36) of the protobuf
 * PublicKey { Type = Ed25519 (1), Data = 32 bytes }, in base58btc ("12D3KooW…").
 */
export function peerIdFromEd25519(publicKey: Uint8Array): string {
  if (publicKey.length !== 32)
    throw new FastEvmError(ErrorCode.CONSENSUS_KEY_INVALID, "Ed25519 key must be 32 bytes");
  return base58btc(new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...publicKey]));
}
