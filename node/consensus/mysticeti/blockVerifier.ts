/**
 * Stateless checks of a received block: everything that can be decided without the block's ancestors.
 * Each failure has a typed reason so the network layer can score the sender (every reason here is the
 * sender's fault, none is a local condition). The one check that needs the ancestors (timestamp not below
 * theirs) is done by the block manager when they are local.
 */
import { equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { SignedBlock } from "../../core/wire/consensus.ts";
import { DIGEST_LENGTH, decodeBlock, genesisBlocks, VerifiedBlock } from "./block.ts";
import { type Committee, StakeAggregator } from "./committee.ts";
import type { SignatureVerifier } from "./signing.ts";

export const BlockRejectReason = {
  DECODE: "DECODE",
  WRONG_EPOCH: "WRONG_EPOCH",
  GENESIS_ROUND: "GENESIS_ROUND",
  UNKNOWN_AUTHOR: "UNKNOWN_AUTHOR",
  BAD_SIGNATURE: "BAD_SIGNATURE",
  NO_ANCESTORS: "NO_ANCESTORS",
  TOO_MANY_ANCESTORS: "TOO_MANY_ANCESTORS",
  FIRST_ANCESTOR_NOT_OWN: "FIRST_ANCESTOR_NOT_OWN",
  DUPLICATE_ANCESTOR_AUTHOR: "DUPLICATE_ANCESTOR_AUTHOR",
  ANCESTOR_UNKNOWN_AUTHOR: "ANCESTOR_UNKNOWN_AUTHOR",
  ANCESTOR_ROUND_NOT_LOWER: "ANCESTOR_ROUND_NOT_LOWER",
  INVALID_GENESIS_ANCESTOR: "INVALID_GENESIS_ANCESTOR",
  NO_QUORUM_AT_PREVIOUS_ROUND: "NO_QUORUM_AT_PREVIOUS_ROUND",
  TOO_MANY_TRANSACTIONS: "TOO_MANY_TRANSACTIONS",
  TRANSACTION_TOO_LARGE: "TRANSACTION_TOO_LARGE",
  TRANSACTIONS_TOO_LARGE: "TRANSACTIONS_TOO_LARGE",
  TOO_MANY_COMMIT_VOTES: "TOO_MANY_COMMIT_VOTES",
  INVALID_COMMIT_VOTE: "INVALID_COMMIT_VOTE",
  TIMESTAMP_TOO_FAR_IN_FUTURE: "TIMESTAMP_TOO_FAR_IN_FUTURE",
  TIMESTAMP_BEFORE_ANCESTOR: "TIMESTAMP_BEFORE_ANCESTOR",
} as const;
export type BlockRejectReason = (typeof BlockRejectReason)[keyof typeof BlockRejectReason];

/** A rejected block: `CONSENSUS_BLOCK_INVALID` with the reason in `reason` (also in `meta.reason`). */
export class BlockRejectedError extends FastEvmError {
  constructor(
    readonly reason: BlockRejectReason,
    detail: string,
  ) {
    super(ErrorCode.CONSENSUS_BLOCK_INVALID, `block rejected (${reason}): ${detail}`, { reason });
  }
}

export interface BlockLimits {
  readonly maxTransactionsPerBlock: number;
  readonly maxTransactionBytes: number;
  readonly maxBlockTransactionBytes: number;
  readonly maxCommitVotes: number;
  /** blocks stamped further ahead of the local clock are rejected */
  readonly maxForwardTimeDriftMs: number;
}

export const DEFAULT_BLOCK_LIMITS: BlockLimits = {
  maxTransactionsPerBlock: 10_000,
  maxTransactionBytes: 128 * 1024,
  maxBlockTransactionBytes: 4 * 1024 * 1024,
  maxCommitVotes: 100,
  maxForwardTimeDriftMs: 500,
};

export class BlockVerifier {
  private readonly genesisDigests: Uint8Array[];

  constructor(
    private readonly committee: Committee,
    private readonly signatures: SignatureVerifier,
    private readonly limits: BlockLimits = DEFAULT_BLOCK_LIMITS,
  ) {
    this.genesisDigests = genesisBlocks(committee.epoch, committee.size, committee.epochStartMs).map(
      (g) => g.digest,
    );
  }

  /** Decodes and verifies untrusted bytes; `nowMs` enables the forward-drift check. */
  verifyBytes(bytes: Uint8Array, nowMs?: number): VerifiedBlock {
    let block: SignedBlock;
    try {
      block = decodeBlock(bytes);
    } catch (e) {
      throw new BlockRejectedError(BlockRejectReason.DECODE, e instanceof Error ? e.message : String(e));
    }
    this.check(block, nowMs);
    return new VerifiedBlock(block, bytes);
  }

  /** Verifies an already decoded block. Throws `BlockRejectedError`. */
  check(block: SignedBlock, nowMs?: number): void {
    const c = this.committee;
    const reject = (reason: BlockRejectReason, detail: string): never => {
      throw new BlockRejectedError(reason, detail);
    };
    if (block.epoch !== c.epoch) reject("WRONG_EPOCH", `epoch ${block.epoch}, committee ${c.epoch}`);
    if (block.round === 0) reject("GENESIS_ROUND", "round 0 blocks are never signed or sent");
    if (!c.isValidIndex(block.author)) reject("UNKNOWN_AUTHOR", `author ${block.author}`);
    this.checkPayload(block, reject);
    this.checkAncestors(block, reject);
    if (nowMs !== undefined && block.timestampMs > nowMs + this.limits.maxForwardTimeDriftMs) {
      reject("TIMESTAMP_TOO_FAR_IN_FUTURE", `${block.timestampMs - nowMs} ms ahead`);
    }
    // signature last: it is the expensive check
    if (!this.signatures.verify(block))
      reject("BAD_SIGNATURE", `author ${block.author} round ${block.round}`);
  }

  private checkPayload(block: SignedBlock, reject: (r: BlockRejectReason, d: string) => never): void {
    const l = this.limits;
    if (block.transactions.length > l.maxTransactionsPerBlock) {
      reject("TOO_MANY_TRANSACTIONS", `${block.transactions.length} > ${l.maxTransactionsPerBlock}`);
    }
    let bytes = 0;
    for (const tx of block.transactions) {
      if (tx.length > l.maxTransactionBytes) reject("TRANSACTION_TOO_LARGE", `${tx.length} bytes`);
      bytes += tx.length;
    }
    if (bytes > l.maxBlockTransactionBytes) reject("TRANSACTIONS_TOO_LARGE", `${bytes} bytes`);
    if (block.commitVotes.length > l.maxCommitVotes)
      reject("TOO_MANY_COMMIT_VOTES", `${block.commitVotes.length}`);
    for (const v of block.commitVotes) {
      if (v.index < 1 || v.digest.length !== DIGEST_LENGTH) reject("INVALID_COMMIT_VOTE", `index ${v.index}`);
    }
  }

  private checkAncestors(block: SignedBlock, reject: (r: BlockRejectReason, d: string) => never): void {
    const c = this.committee;
    const ancestors = block.ancestors;
    if (ancestors.length === 0) reject("NO_ANCESTORS", "a block needs its own previous block");
    if (ancestors.length > c.size) reject("TOO_MANY_ANCESTORS", `${ancestors.length} > ${c.size}`);
    if (ancestors[0]?.author !== block.author)
      reject("FIRST_ANCESTOR_NOT_OWN", "first ancestor must be own block");
    const seen = new Set<number>();
    const quorum = new StakeAggregator(c);
    for (const a of ancestors) {
      if (!c.isValidIndex(a.author)) reject("ANCESTOR_UNKNOWN_AUTHOR", `author ${a.author}`);
      if (seen.has(a.author)) reject("DUPLICATE_ANCESTOR_AUTHOR", `author ${a.author} twice`);
      seen.add(a.author);
      if (a.round >= block.round) reject("ANCESTOR_ROUND_NOT_LOWER", `ancestor round ${a.round}`);
      if (a.round === 0 && !equalBytes(a.digest, this.genesisDigests[a.author]!)) {
        reject("INVALID_GENESIS_ANCESTOR", `genesis of ${a.author}`);
      }
      if (a.round === block.round - 1) quorum.add(a.author);
    }
    if (!quorum.reachedQuorum()) {
      reject("NO_QUORUM_AT_PREVIOUS_ROUND", `stake ${quorum.stake} < ${c.quorumThreshold}`);
    }
  }
}
