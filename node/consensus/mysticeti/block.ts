/**
 * DAG blocks: canonical encoding (strict RLP), BLAKE2b-256 digest, Ed25519 signing, genesis, and the
 * in-memory `VerifiedBlock` every other consensus module works with.
 *
 * Encoding of a signed block: RLP list
 *   [epoch, round, author, timestampMs, [[round, author, digest]…], [tx…], [[index, digest]…], signature].
 * The signature covers `SIGNING_DOMAIN ‖ RLP of the same list without the signature`, so a block signature
 * can never be replayed as another kind of message (Ed25519 hashes its input with SHA-512 itself, natively,
 * so pre-hashing with the slower JS BLAKE2b would add cost and no security). The block digest is BLAKE2b-256 of the
 * whole signed encoding, so two different signatures of one payload are two different blocks.
 */

import { concatBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../../core/errors.ts";
import { blake2b256 } from "../../core/hash.ts";
import { bytesToUnprefixedHex } from "../../core/hex.ts";
import {
  decodeRlp,
  encodeRlp,
  type RlpInput,
  type RlpItem,
  rlpBytes,
  rlpFixedBytes,
  rlpList,
  rlpNumber,
} from "../../core/rlp.ts";
import type { BlockRef, CommitRef, SignedBlock, UnsignedBlock } from "../../core/wire/consensus.ts";

export const DIGEST_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
const SIGNING_DOMAIN = new TextEncoder().encode("FASTEVM/CONSENSUS/BLOCK/V1\0");

/** Consensus digests are BLAKE2b-256 (ARCHITECTURE §7), computed in the WASM hash module. */
export { blake2b256 };

/** Map key of a block: round and author first so keys read well in logs; the full digest keeps them unique. */
export function refKey(ref: BlockRef): string {
  return `${ref.round}/${ref.author}/${bytesToUnprefixedHex(ref.digest)}`;
}

/** Map key of a slot (round, author). */
export function slotKey(round: number, author: number): string {
  return `${round}/${author}`;
}

/** Total order of refs used wherever a deterministic order is needed: round, author, then digest bytes. */
export function compareRefs(a: BlockRef, b: BlockRef): number {
  if (a.round !== b.round) return a.round - b.round;
  if (a.author !== b.author) return a.author - b.author;
  for (let i = 0; i < DIGEST_LENGTH; i++) {
    const d = (a.digest[i] ?? 0) - (b.digest[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function unsignedFields(b: UnsignedBlock): RlpInput[] {
  return [
    b.epoch,
    b.round,
    b.author,
    b.timestampMs,
    b.ancestors.map((a) => [a.round, a.author, a.digest]),
    [...b.transactions],
    b.commitVotes.map((v) => [v.index, v.digest]),
  ];
}

/** The bytes an authority signs for `block`. */
export function signingMessage(block: UnsignedBlock): Uint8Array {
  return concatBytes(SIGNING_DOMAIN, encodeRlp(unsignedFields(block)));
}

export function encodeBlock(block: SignedBlock): Uint8Array {
  return encodeRlp([...unsignedFields(block), block.signature]);
}

function decodeRef(item: RlpItem, what: string): BlockRef {
  const l = rlpList(item, what);
  if (l.length !== 3) throw new FastEvmError(ErrorCode.CONSENSUS_BLOCK_DECODE, `${what} must have 3 fields`);
  return {
    round: rlpNumber(l[0], `${what}.round`),
    author: rlpNumber(l[1], `${what}.author`),
    digest: rlpFixedBytes(l[2], DIGEST_LENGTH, `${what}.digest`),
  };
}

function decodeCommitRef(item: RlpItem, what: string): CommitRef {
  const l = rlpList(item, what);
  if (l.length !== 2) throw new FastEvmError(ErrorCode.CONSENSUS_BLOCK_DECODE, `${what} must have 2 fields`);
  return {
    index: rlpNumber(l[0], `${what}.index`),
    digest: rlpFixedBytes(l[1], DIGEST_LENGTH, `${what}.digest`),
  };
}

/**
 * Decodes a signed block from untrusted bytes. Every structural problem is a `CONSENSUS_BLOCK_DECODE`
 * error; semantic rules (signature, ancestors, quorum) are the verifier's job.
 */
export function decodeBlock(bytes: Uint8Array): SignedBlock {
  try {
    const l = rlpList(decodeRlp(bytes), "block");
    if (l.length !== 8) throw new FastEvmError(ErrorCode.CONSENSUS_BLOCK_DECODE, "block must have 8 fields");
    return {
      epoch: rlpNumber(l[0], "epoch"),
      round: rlpNumber(l[1], "round"),
      author: rlpNumber(l[2], "author"),
      timestampMs: rlpNumber(l[3], "timestampMs"),
      ancestors: rlpList(l[4], "ancestors").map((a, i) => decodeRef(a, `ancestors[${i}]`)),
      transactions: rlpList(l[5], "transactions").map((t, i) => rlpBytes(t, `transactions[${i}]`)),
      commitVotes: rlpList(l[6], "commitVotes").map((v, i) => decodeCommitRef(v, `commitVotes[${i}]`)),
      signature: rlpBytes(l[7], "signature"),
    };
  } catch (e) {
    if (isFastEvmError(e, ErrorCode.CONSENSUS_BLOCK_DECODE)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new FastEvmError(ErrorCode.CONSENSUS_BLOCK_DECODE, `malformed block: ${msg}`, undefined, {
      cause: e,
    });
  }
}

/**
 * A block whose encoding and digest are computed once. Instances are immutable and may be shared between
 * validators in a simulation; per-validator state (committed flags, suspension) lives elsewhere.
 */
export class VerifiedBlock {
  readonly ref: BlockRef;
  readonly key: string;
  readonly ancestorKeys: readonly string[];

  constructor(
    readonly block: SignedBlock,
    readonly serialized: Uint8Array,
  ) {
    this.ref = { round: block.round, author: block.author, digest: blake2b256(serialized) };
    this.key = refKey(this.ref);
    this.ancestorKeys = block.ancestors.map(refKey);
  }

  static fromBlock(block: SignedBlock): VerifiedBlock {
    return new VerifiedBlock(block, encodeBlock(block));
  }

  get round(): number {
    return this.block.round;
  }
  get author(): number {
    return this.block.author;
  }
  get timestampMs(): number {
    return this.block.timestampMs;
  }
  get ancestors(): readonly BlockRef[] {
    return this.block.ancestors;
  }
  get digest(): Uint8Array {
    return this.ref.digest;
  }
  toString(): string {
    return `B${this.round}(${this.author},${bytesToUnprefixedHex(this.digest).slice(0, 8)})`;
  }
}

/** The unsigned round-0 block of `author`: identical on every validator of the epoch. */
export function genesisBlock(epoch: number, author: number, epochStartMs: number): VerifiedBlock {
  return VerifiedBlock.fromBlock({
    epoch,
    round: 0,
    author,
    timestampMs: epochStartMs,
    ancestors: [],
    transactions: [],
    commitVotes: [],
    signature: new Uint8Array(0),
  });
}

export function genesisBlocks(epoch: number, size: number, epochStartMs: number): VerifiedBlock[] {
  return Array.from({ length: size }, (_, i) => genesisBlock(epoch, i, epochStartMs));
}
