/**
 * What the pure core needs from block signatures, as interfaces: the Ed25519 implementations over
 * `node:crypto` live outside this folder (`node/consensus/signer.ts`), so the core stays free of I/O and
 * tests can inject their own.
 */
import type { SignedBlock, UnsignedBlock } from "../../core/wire/consensus.ts";

/** Signs this validator's blocks. */
export interface BlockSigning {
  sign(block: UnsignedBlock): SignedBlock;
}

/** Checks block signatures against the committee's protocol keys. */
export interface SignatureVerifier {
  verify(block: SignedBlock): boolean;
}
