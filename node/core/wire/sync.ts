/**
 * Block sync messages (full nodes, after eth/68): `status` at connect, `getBlockHeaders` / `blockHeaders`,
 * `getBlockBodies` / `blockBodies` over the request-response protocol, `newBlockHashes` by gossip. Their byte
 * codec is here too: strict RLP with a leading kind tag, every list capped before anything is allocated per
 * entry, every integer canonical. Any problem decoding untrusted bytes is a `NETWORK_DECODE` error (the
 * sender's fault); a list above its cap is `NETWORK_MESSAGE_TOO_LARGE`.
 *
 * Headers travel decoded (192 of them are cheap to parse and their hashes link the chain); bodies travel as
 * their canonical body RLP, opaque here: they are decoded and checked against their headers' roots off the
 * main thread (`workers/sync/`).
 */
import { type BlockHeader, encodeHeader, headerFromRlpItem } from "../block/header.ts";
import type { Withdrawal } from "../block/withdrawal.ts";
import { ErrorCode, FastEvmError } from "../errors.ts";
import {
  decodeRlp,
  encodeRlp,
  type RlpItem,
  rlpBigint,
  rlpBytes,
  rlpFixedBytes,
  rlpList,
  rlpNumber,
} from "../rlp.ts";

/** Headers per response (geth's `maxHeadersServe`). */
export const MAX_HEADERS_SERVE = 192;
/** Block hashes per GetBlockBodies request. */
export const MAX_BODIES_REQUEST = 128;
/** A BlockBodies response stops adding bodies once past this many bytes (geth's `softResponseLimit`). */
export const SOFT_RESPONSE_BYTES = 2 * 1024 * 1024;
/** Entries per NewBlockHashes announcement. */
export const MAX_ANNOUNCED = 64;
/** Largest `skip` accepted (keeps `origin + count·(skip+1)` far from overflow). */
export const MAX_SKIP = 1_000_000;

export interface SyncStatus {
  readonly kind: "status";
  readonly chainId: bigint;
  readonly genesisHash: Uint8Array;
  readonly headNumber: bigint;
  readonly headHash: Uint8Array;
}

/** `origin` by number or by hash; `skip` blocks between consecutive headers; `reverse`: towards genesis. */
export interface GetBlockHeaders {
  readonly kind: "getBlockHeaders";
  readonly origin: { readonly number: bigint } | { readonly hash: Uint8Array };
  readonly count: number;
  readonly skip: number;
  readonly reverse: boolean;
}

export interface BlockHeaders {
  readonly kind: "blockHeaders";
  readonly headers: readonly BlockHeader[];
}

export interface GetBlockBodies {
  readonly kind: "getBlockBodies";
  readonly hashes: readonly Uint8Array[];
}

/** Bodies in request order, a prefix of the hashes asked for (a server stops at the first one it lacks). */
export interface BlockBodies {
  readonly kind: "blockBodies";
  /** each one the canonical body RLP: [transactions, ommers, withdrawals?] */
  readonly bodies: readonly Uint8Array[];
}

export interface AnnouncedBlock {
  readonly hash: Uint8Array;
  readonly number: bigint;
}

export interface NewBlockHashes {
  readonly kind: "newBlockHashes";
  readonly blocks: readonly AnnouncedBlock[];
}

export type SyncRequest = SyncStatus | GetBlockHeaders | GetBlockBodies;
export type SyncResponse = SyncStatus | BlockHeaders | BlockBodies;
export type SyncMessage = SyncRequest | BlockHeaders | BlockBodies | NewBlockHashes;

const KIND = {
  status: 0,
  getBlockHeaders: 1,
  blockHeaders: 2,
  getBlockBodies: 3,
  blockBodies: 4,
  newBlockHashes: 5,
} as const;

export function encodeSyncMessage(m: SyncMessage): Uint8Array {
  switch (m.kind) {
    case "status":
      return encodeRlp([KIND.status, m.chainId, m.genesisHash, m.headNumber, m.headHash]);
    case "getBlockHeaders":
      return encodeRlp([
        KIND.getBlockHeaders,
        "hash" in m.origin ? m.origin.hash : m.origin.number,
        m.count,
        m.skip,
        m.reverse ? 1 : 0,
      ]);
    case "blockHeaders":
      // each header as its own encoding, an RLP list inside the message list
      return encodeRlp([KIND.blockHeaders, m.headers.map((h) => decodeRlp(encodeHeader(h)))]);
    case "getBlockBodies":
      return encodeRlp([KIND.getBlockBodies, [...m.hashes]]);
    case "blockBodies":
      return encodeRlp([KIND.blockBodies, [...m.bodies]]);
    case "newBlockHashes":
      return encodeRlp([KIND.newBlockHashes, m.blocks.map((b) => [b.hash, b.number])]);
  }
}

function decodeError(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.NETWORK_DECODE, msg);
}

function capped(item: RlpItem | undefined, max: number, what: string): RlpItem[] {
  const l = rlpList(item, what);
  if (l.length > max)
    throw new FastEvmError(ErrorCode.NETWORK_MESSAGE_TOO_LARGE, `${what}: ${l.length} entries > ${max}`);
  return l;
}

function decodeOrigin(item: RlpItem | undefined): GetBlockHeaders["origin"] {
  const b = rlpBytes(item, "origin");
  // a 32-byte string is a hash; a block number is at most 8 bytes
  if (b.length === 32) return { hash: b };
  return { number: rlpBigint(b, "origin", 8) };
}

function decodeFlag(item: RlpItem | undefined, what: string): boolean {
  const v = rlpNumber(item, what);
  if (v > 1) throw decodeError(`${what} must be 0 or 1`);
  return v === 1;
}

/** Decodes untrusted bytes into one sync message, or throws (see the file comment for the codes). */
export function decodeSyncMessage(bytes: Uint8Array): SyncMessage {
  try {
    const l = rlpList(decodeRlp(bytes), "message");
    const kind = rlpNumber(l[0], "kind");
    const want = (n: number) => {
      if (l.length !== n) throw decodeError(`sync message kind ${kind} needs ${n} fields, got ${l.length}`);
    };
    switch (kind) {
      case KIND.status:
        want(5);
        return {
          kind: "status",
          chainId: rlpBigint(l[1], "chainId", 32),
          genesisHash: rlpFixedBytes(l[2], 32, "genesisHash"),
          headNumber: rlpBigint(l[3], "headNumber", 8),
          headHash: rlpFixedBytes(l[4], 32, "headHash"),
        };
      case KIND.getBlockHeaders: {
        want(5);
        const count = rlpNumber(l[2], "count");
        if (count === 0) throw decodeError("getBlockHeaders: count is 0");
        if (count > MAX_HEADERS_SERVE)
          throw new FastEvmError(
            ErrorCode.NETWORK_MESSAGE_TOO_LARGE,
            `getBlockHeaders: count ${count} > ${MAX_HEADERS_SERVE}`,
          );
        const skip = rlpNumber(l[3], "skip");
        if (skip > MAX_SKIP) throw decodeError(`getBlockHeaders: skip ${skip} > ${MAX_SKIP}`);
        return {
          kind: "getBlockHeaders",
          origin: decodeOrigin(l[1]),
          count,
          skip,
          reverse: decodeFlag(l[4], "reverse"),
        };
      }
      case KIND.blockHeaders:
        want(2);
        return {
          kind: "blockHeaders",
          headers: capped(l[1], MAX_HEADERS_SERVE, "headers").map(headerFromRlpItem),
        };
      case KIND.getBlockBodies: {
        want(2);
        const hashes = capped(l[1], MAX_BODIES_REQUEST, "hashes").map((h) => rlpFixedBytes(h, 32, "hash"));
        if (hashes.length === 0) throw decodeError("getBlockBodies: no hashes");
        return { kind: "getBlockBodies", hashes };
      }
      case KIND.blockBodies:
        want(2);
        return {
          kind: "blockBodies",
          bodies: capped(l[1], MAX_BODIES_REQUEST, "bodies").map((b) => {
            const body = rlpBytes(b, "body");
            // a body is an RLP list: its first byte is a list prefix (the full decode is the worker's)
            if (body.length === 0 || body[0]! < 0xc0) throw decodeError("body is not an RLP list");
            return body;
          }),
        };
      case KIND.newBlockHashes: {
        want(2);
        const blocks = capped(l[1], MAX_ANNOUNCED, "blocks").map((e) => {
          const f = rlpList(e, "announced block");
          if (f.length !== 2) throw decodeError("announced block needs 2 fields");
          return { hash: rlpFixedBytes(f[0], 32, "hash"), number: rlpBigint(f[1], "number", 8) };
        });
        if (blocks.length === 0) throw decodeError("newBlockHashes: no blocks");
        return { kind: "newBlockHashes", blocks };
      }
      default:
        throw decodeError(`unknown sync message kind ${kind}`);
    }
  } catch (e) {
    if (
      e instanceof FastEvmError &&
      (e.code === ErrorCode.NETWORK_DECODE || e.code === ErrorCode.NETWORK_MESSAGE_TOO_LARGE)
    )
      throw e;
    throw decodeError(`malformed sync message: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The body check (the sync worker's task, node/pool/ → workers/sync/)

/** What a body must match: its header's roots. */
export interface BodyExpectation {
  readonly transactionsRoot: Uint8Array;
  readonly ommersHash: Uint8Array;
  /** absent before Shanghai: the body must then have no withdrawals list */
  readonly withdrawalsRoot?: Uint8Array;
}

export interface BodyCheckTask {
  readonly expected: readonly BodyExpectation[];
  /** `bodies[i]` is checked against `expected[i]` (bodies.length ≤ expected.length) */
  readonly bodies: readonly Uint8Array[];
}

export type BodyCheckItem =
  | {
      readonly ok: true;
      readonly transactions: readonly Uint8Array[];
      readonly ommers: readonly BlockHeader[];
      readonly withdrawals?: readonly Withdrawal[];
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface BodyCheckResult {
  readonly items: readonly BodyCheckItem[];
}
