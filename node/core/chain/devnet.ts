/**
 * The local devnet chain: `genesis/devnet.json` (chainId 20256, every fork through Cancun at genesis) prefunds
 * dev accounts whose private keys are public and deterministic: key i = keccak256("fastevm devnet account i").
 * Never use them anywhere value is at stake.
 */
import { fileURLToPath } from "node:url";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak256 } from "../hash.ts";

export const DEVNET_CHAIN_ID = 20256n;

/** Path of the devnet genesis.json, for `fastevm init` and `fastevm devnet`. */
export const DEVNET_GENESIS_PATH: string = fileURLToPath(new URL("./genesis/devnet.json", import.meta.url));

/** Number of prefunded dev accounts in devnet.json. */
export const DEV_ACCOUNT_COUNT = 10;

export function devAccountKey(i: number): Uint8Array {
  return keccak256(new TextEncoder().encode(`fastevm devnet account ${i}`));
}

/** The 20-byte address of a private key: last 20 bytes of keccak256(uncompressed public key without 0x04). */
export function addressOfKey(privateKey: Uint8Array): Uint8Array {
  const pub = secp256k1.getPublicKey(privateKey, false);
  return keccak256(pub.subarray(1)).subarray(12);
}
