/**
 * EIP-4844 sidecar binding check for the pool path: each versioned hash must be
 * 0x01 || sha256(commitment)[1..32]. KZG proof verification (blob ↔ commitment) is not done here.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { ErrorCode, FastEvmError } from "../errors.ts";
import type { BlobSidecar, BlobTx } from "./types.ts";

export function kzgToVersionedHash(commitment: Uint8Array): Uint8Array {
  const h = sha256(commitment);
  h[0] = 0x01;
  return h;
}

export function validateBlobSidecar(tx: BlobTx, sidecar: BlobSidecar): void {
  const hashes = tx.blobVersionedHashes;
  if (sidecar.commitments.length !== hashes.length || sidecar.blobs.length !== hashes.length) {
    throw new FastEvmError(ErrorCode.TX_BLOB_SIDECAR, "sidecar size does not match the blob hashes");
  }
  for (let i = 0; i < hashes.length; i++) {
    const want = kzgToVersionedHash(sidecar.commitments[i]!);
    const got = hashes[i]!;
    for (let j = 0; j < 32; j++) {
      if (want[j] !== got[j]) {
        throw new FastEvmError(
          ErrorCode.TX_BLOB_SIDECAR,
          `commitment ${i} does not match its versioned hash`,
          { index: i },
        );
      }
    }
  }
}
