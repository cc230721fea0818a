/**
 * Wire types of the Mysticeti consensus messages: the signed DAG block, references to blocks and commits,
 * the commit record, and the request/response messages validators exchange. Plain data only, so these
 * cross threads and the network unchanged; the canonical byte codecs live in `node/consensus/`.
 */

/** Index of an authority in the committee (0-based, committee order). */
export type AuthorityIndex = number;

/** A DAG round; round 0 holds the unsigned genesis blocks. */
export type Round = number;

/** The identity of a block: (round, author) is its slot, the digest tells equivocating blocks apart. */
export interface BlockRef {
  readonly round: Round;
  readonly author: AuthorityIndex;
  /** BLAKE2b-256 of the signed block's canonical encoding */
  readonly digest: Uint8Array;
}

/** A commit as other validators name it: its index in the commit chain and the commit digest. */
export interface CommitRef {
  readonly index: number;
  readonly digest: Uint8Array;
}

/** The block fields covered by the author's signature. */
export interface UnsignedBlock {
  readonly epoch: number;
  readonly round: Round;
  readonly author: AuthorityIndex;
  /** proposer's clock, milliseconds since the Unix epoch; never below any ancestor's timestamp */
  readonly timestampMs: number;
  /** own previous block first, at most one per authority, all at lower rounds */
  readonly ancestors: readonly BlockRef[];
  /** opaque transaction bytes (raw EIP-2718 for FastEVM), kept in proposal order */
  readonly transactions: readonly Uint8Array[];
  /** commits the author formed locally since its previous block (used to certify commit ranges) */
  readonly commitVotes: readonly CommitRef[];
}

/** A block with its Ed25519 signature (64 bytes; empty for genesis). */
export interface SignedBlock extends UnsignedBlock {
  readonly signature: Uint8Array;
}

/**
 * The persisted record of one commit. `previousDigest` chains commits (all zero for index 1), so a peer
 * can verify a range of commits from the digest of its last one.
 */
export interface Commit {
  readonly index: number;
  readonly previousDigest: Uint8Array;
  readonly timestampMs: number;
  readonly leader: BlockRef;
  /** the committed sub-DAG in linearized order: (round, author, digest) ascending */
  readonly blocks: readonly BlockRef[];
}

/** Broadcast of a newly proposed block: the signed block's canonical bytes. */
export interface SendBlockMessage {
  readonly kind: "block";
  readonly block: Uint8Array;
}

/**
 * Request for missing blocks. `highestAccepted[a]` is the requester's highest accepted round of authority
 * `a`, so the responder may add ancestors of the requested blocks the requester certainly lacks.
 */
export interface FetchBlocksRequest {
  readonly kind: "fetchBlocks";
  readonly refs: readonly BlockRef[];
  readonly highestAccepted: readonly Round[];
}

/** Serialized signed blocks, ancestors before descendants. */
export interface FetchBlocksResponse {
  readonly kind: "fetchBlocksResponse";
  readonly blocks: readonly Uint8Array[];
}

/**
 * Amnesia guard: a validator whose store was wiped asks peers for the latest block they hold from
 * `author` (itself) before it proposes again. Answered with a FetchBlocksResponse of at most one block.
 */
export interface FetchLatestBlockRequest {
  readonly kind: "fetchLatestBlock";
  readonly author: AuthorityIndex;
}

/**
 * Commit sync: a validator far behind asks for up to `max` commits starting at index `from`.
 * `blocks: false` asks for certificates only (a full node checking its EVM blocks' commit stamps): the
 * commits and the votes, no blocks; and, when the responder holds no votes for any commit of the range any
 * more (pruned, or from before its restart), the range without votes, which the asker links by digest to a
 * later certified one. Absent means true: the full range, certified, as a validator needs it.
 */
export interface FetchCommitsRequest {
  readonly kind: "fetchCommits";
  readonly from: number;
  readonly max: number;
  readonly blocks?: boolean;
}

/**
 * A commit range: encoded commits (hash-chained, ascending), the serialized blocks of all of them
 * concatenated in commit order (each commit's `blocks` says how many are its own; none when asked with
 * `blocks: false`), and blocks of quorum stake voting for the last commit (none for an unvoted range of a
 * certificates-only request). Empty when the responder has nothing to serve from `from`.
 */
export interface FetchCommitsResponse {
  readonly kind: "fetchCommitsResponse";
  readonly commits: readonly Uint8Array[];
  readonly blocks: readonly Uint8Array[];
  readonly votes: readonly Uint8Array[];
}

/** Every consensus message that crosses the network. */
export type ConsensusMessage =
  | SendBlockMessage
  | FetchBlocksRequest
  | FetchBlocksResponse
  | FetchLatestBlockRequest
  | FetchCommitsRequest
  | FetchCommitsResponse;
