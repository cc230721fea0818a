/**
 * Byte encoding of the consensus wire messages (node/core/wire/consensus.ts): strict RLP with a leading
 * kind tag. Blocks travel as their canonical signed encoding, so the receiver's verifier sees exactly the
 * bytes the author signed and hashed.
 */
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import {
  decodeRlp,
  encodeRlp,
  type RlpItem,
  rlpBytes,
  rlpFixedBytes,
  rlpList,
  rlpNumber,
} from "../core/rlp.ts";
import type { BlockRef, ConsensusMessage } from "../core/wire/consensus.ts";

const KIND = {
  block: 0,
  fetchBlocks: 1,
  fetchBlocksResponse: 2,
  fetchLatestBlock: 3,
  fetchCommits: 4,
  fetchCommitsResponse: 5,
} as const;

/** Hard caps on list lengths, checked before anything is allocated per entry. */
export const MAX_FETCH_REFS = 1000;
export const MAX_FETCH_RESPONSE_BLOCKS = 1000;
export const MAX_COMMITTEE_SIZE = 1000;
export const MAX_FETCH_COMMITS = 1000;
export const MAX_COMMIT_BLOCKS = 100_000;

const refFields = (r: BlockRef) => [r.round, r.author, r.digest];

export function encodeConsensusMessage(m: ConsensusMessage): Uint8Array {
  switch (m.kind) {
    case "block":
      return encodeRlp([KIND.block, m.block]);
    case "fetchBlocks":
      return encodeRlp([
        KIND.fetchBlocks,
        m.refs.map(refFields),
        m.highestAccepted.map((r) => Math.max(0, r)),
      ]);
    case "fetchBlocksResponse":
      return encodeRlp([KIND.fetchBlocksResponse, [...m.blocks]]);
    case "fetchLatestBlock":
      return encodeRlp([KIND.fetchLatestBlock, m.author]);
    case "fetchCommits":
      return encodeRlp(
        m.blocks === false ? [KIND.fetchCommits, m.from, m.max, 0] : [KIND.fetchCommits, m.from, m.max],
      );
    case "fetchCommitsResponse":
      return encodeRlp([KIND.fetchCommitsResponse, [...m.commits], [...m.blocks], [...m.votes]]);
  }
}

function capped(item: RlpItem | undefined, max: number, what: string): RlpItem[] {
  const l = rlpList(item, what);
  if (l.length > max)
    throw new FastEvmError(ErrorCode.NETWORK_DECODE, `${what}: ${l.length} entries > ${max}`);
  return l;
}

function decodeRef(item: RlpItem): BlockRef {
  const l = rlpList(item, "ref");
  if (l.length !== 3) throw new FastEvmError(ErrorCode.NETWORK_DECODE, "ref must have 3 fields");
  return {
    round: rlpNumber(l[0], "round"),
    author: rlpNumber(l[1], "author"),
    digest: rlpFixedBytes(l[2], 32, "digest"),
  };
}

/** Decodes untrusted bytes; any problem is a `NETWORK_DECODE` error (the sender's fault). */
export function decodeConsensusMessage(bytes: Uint8Array): ConsensusMessage {
  try {
    const l = rlpList(decodeRlp(bytes), "message");
    const kind = rlpNumber(l[0], "kind");
    const want = (n: number) => {
      if (l.length !== n)
        throw new FastEvmError(ErrorCode.NETWORK_DECODE, `message kind ${kind} needs ${n} fields`);
    };
    switch (kind) {
      case KIND.block:
        want(2);
        return { kind: "block", block: rlpBytes(l[1], "block") };
      case KIND.fetchBlocks:
        want(3);
        return {
          kind: "fetchBlocks",
          refs: capped(l[1], MAX_FETCH_REFS, "refs").map(decodeRef),
          highestAccepted: capped(l[2], MAX_COMMITTEE_SIZE, "highestAccepted").map((r) =>
            rlpNumber(r, "round"),
          ),
        };
      case KIND.fetchBlocksResponse:
        want(2);
        return {
          kind: "fetchBlocksResponse",
          blocks: capped(l[1], MAX_FETCH_RESPONSE_BLOCKS, "blocks").map((b) => rlpBytes(b, "block")),
        };
      case KIND.fetchLatestBlock:
        want(2);
        return { kind: "fetchLatestBlock", author: rlpNumber(l[1], "author") };
      case KIND.fetchCommits: {
        // a fourth field, 0, asks for certificates only; absent: the full range
        if (l.length !== 3 && l.length !== 4)
          throw new FastEvmError(
            ErrorCode.NETWORK_DECODE,
            `fetchCommits needs 3 or 4 fields, got ${l.length}`,
          );
        const req = {
          kind: "fetchCommits",
          from: rlpNumber(l[1], "from"),
          max: rlpNumber(l[2], "max"),
        } as const;
        if (l.length === 3) return req;
        if (rlpNumber(l[3], "blocks") !== 0)
          throw new FastEvmError(
            ErrorCode.NETWORK_DECODE,
            "fetchCommits: blocks flag must be 0 when present",
          );
        return { ...req, blocks: false };
      }
      case KIND.fetchCommitsResponse:
        want(4);
        return {
          kind: "fetchCommitsResponse",
          commits: capped(l[1], MAX_FETCH_COMMITS, "commits").map((c) => rlpBytes(c, "commit")),
          blocks: capped(l[2], MAX_COMMIT_BLOCKS, "blocks").map((b) => rlpBytes(b, "block")),
          votes: capped(l[3], MAX_COMMITTEE_SIZE, "votes").map((b) => rlpBytes(b, "vote")),
        };
      default:
        throw new FastEvmError(ErrorCode.NETWORK_DECODE, `unknown consensus message kind ${kind}`);
    }
  } catch (e) {
    if (e instanceof FastEvmError && e.code === ErrorCode.NETWORK_DECODE) throw e;
    throw new FastEvmError(ErrorCode.NETWORK_DECODE, `malformed consensus message: ${(e as Error).message}`);
  }
}
