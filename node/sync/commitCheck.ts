/**
 * The full node's consensus check: every EVM block it imports must belong to a commit that a quorum of the
 * committee certified, so it does not take one validator's word for the chain.
 *
 * A block's commit stamp (`extraData`, node/core/chain/commitStamp.ts) names the commit index and its
 * timestamp, and its `prevRandao` is that commit's digest (the engine driver's rule). The checker keeps the
 * commit chain it has verified: digests and timestamps from the local head's commit up to a certified tip.
 * It extends that chain by commit sync (`fetchCommits` with `blocks: false` on the validators' fetch
 * protocol): each range must continue the chain (index + 1, previous digest), and the range's last commit
 * must carry votes of quorum stake, signed by the committee (checked with `verifyVote`). A range a validator
 * no longer holds votes for comes without votes; it is linked by digest and becomes verified once a later
 * range is certified on top of it. So each header is:
 * - verified: its stamp's commit is in the certified chain with the same digest and timestamp;
 * - pending: its commit is not certified yet (its votes are a round or two behind) — not the sender's fault;
 * - invalid: no stamp, stamps not increasing, or a digest or timestamp other than the certified one.
 *
 * After a restart the local head is trusted as verified (it was checked before it was stored): its stamp and
 * `prevRandao` are the chain's starting point, and the chain before it is never fetched again.
 *
 * Memory: 40 bytes per commit between the local head's commit and the certified tip (typed arrays), at most
 * `maxChain` commits (a node that far behind the validators' vote window links in steps of that size).
 */

import type { VerifiedBlock } from "../consensus/mysticeti/block.ts";
import { decodeCommit, ZERO_DIGEST } from "../consensus/mysticeti/commit.ts";
import { linkCommitRange, verifyCommitRange } from "../consensus/mysticeti/commitCertification.ts";
import { COMMIT_SYNC_BATCH } from "../consensus/mysticeti/commitSync.ts";
import type { Committee } from "../consensus/mysticeti/committee.ts";
import type { BlockHeader } from "../core/block/header.ts";
import { equalBytes } from "../core/bytes.ts";
import { decodeCommitStamp } from "../core/chain/commitStamp.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import type { FetchCommitsRequest, FetchCommitsResponse } from "../core/wire/consensus.ts";
import { INVALID_PENALTY } from "../network/peerScores.ts";

/** How a batch of linked headers fares: `verified` of them (a prefix) are certified; the rest pending. */
export type CommitVerdict =
  | { readonly verified: number }
  | { readonly invalid: number; readonly reason: string; readonly verified: number };

/** What the sync manager asks of a commit check (absent: it checks no commits, e.g. a dev chain). */
/** The local head's fields the check starts from: its commit stamp and its commit digest. */
export type CommitAnchor = Pick<BlockHeader, "extraData" | "mixHash">;

export interface CommitCheck {
  /** `headers` link from `parent` (the local head); resolves with how many of them are certified. */
  check(headers: readonly BlockHeader[], parent: CommitAnchor): Promise<CommitVerdict>;
}

export interface CommitCheckOptions {
  readonly committee: Committee;
  /** decodes and verifies a vote block's bytes (its signature by its author in the committee); throws if not */
  readonly verifyVote: (bytes: Uint8Array) => VerifiedBlock;
  /** the peers to ask for certificates, best first (validators answer; others fail and are skipped) */
  readonly peers: () => readonly string[];
  readonly fetch: (peer: string, req: FetchCommitsRequest) => Promise<FetchCommitsResponse>;
  /** lowers a peer's score (a range that does not verify) */
  readonly penalize: (peer: string, by: number) => void;
  /** most commits between the local head's commit and the certified tip (default 1,000,000: 40 MB) */
  readonly maxChain?: number;
  /** peers asked per check before it gives up for now (default 3) */
  readonly maxPeersPerCheck?: number;
  readonly log?: (fields: Record<string, unknown>, msg: string) => void;
}

export interface CommitCheckCounters {
  rangesCertified: number;
  rangesLinked: number;
  invalidRanges: number;
  fetchFailures: number;
}

/**
 * The verified commit chain: commit `base + i` in slot `start + i`. Dropping a prefix moves `start` only;
 * the live slots move to the front when the arrays are full (so each commit is copied O(1) times).
 */
class CommitChain {
  base = 0;
  length = 0;
  #start = 0;
  #digests = new Uint8Array(0);
  #timestamps = new Float64Array(0);

  /** Starts again at `index` (its digest and timestamp trusted). */
  reset(index: number, digest: Uint8Array, timestampMs: number): void {
    this.base = index;
    this.length = 0;
    this.#start = 0;
    this.push(digest, timestampMs);
  }

  get tipIndex(): number {
    return this.base + this.length - 1;
  }

  #slot(index: number): number | undefined {
    const i = index - this.base;
    return i < 0 || i >= this.length ? undefined : this.#start + i;
  }

  digest(index: number): Uint8Array | undefined {
    const k = this.#slot(index);
    return k === undefined ? undefined : this.#digests.subarray(k * 32, k * 32 + 32);
  }

  timestamp(index: number): number | undefined {
    const k = this.#slot(index);
    return k === undefined ? undefined : this.#timestamps[k];
  }

  push(digest: Uint8Array, timestampMs: number): void {
    if (this.#start + this.length >= this.#timestamps.length) {
      // full: the live slots to the front, of the same arrays when half of them is dead, else of new ones
      // twice the size
      const from = this.#start;
      const to = from + this.length;
      if (this.length > 0 && this.length * 2 <= this.#timestamps.length) {
        this.#digests.copyWithin(0, from * 32, to * 32);
        this.#timestamps.copyWithin(0, from, to);
      } else {
        const cap = Math.max(64, this.length * 2);
        const d = new Uint8Array(cap * 32);
        d.set(this.#digests.subarray(from * 32, to * 32));
        const t = new Float64Array(cap);
        t.set(this.#timestamps.subarray(from, to));
        this.#digests = d;
        this.#timestamps = t;
      }
      this.#start = 0;
    }
    const k = this.#start + this.length;
    this.#digests.set(digest, k * 32);
    this.#timestamps[k] = timestampMs;
    this.length++;
  }

  /** Drops the commits below `index` (the local head has passed them). */
  dropBelow(index: number): void {
    const k = index - this.base;
    if (k <= 0 || k >= this.length) return;
    this.#start += k;
    this.base = index;
    this.length -= k;
  }
}

export class CommitChecker implements CommitCheck {
  readonly counters: CommitCheckCounters = {
    rangesCertified: 0,
    rangesLinked: 0,
    invalidRanges: 0,
    fetchFailures: 0,
  };
  readonly #o: CommitCheckOptions;
  readonly #chain = new CommitChain();
  /** one extension at a time: concurrent checks wait for it */
  #extending: Promise<void> | undefined;

  constructor(o: CommitCheckOptions) {
    this.#o = o;
  }

  /** The highest certified commit index known here. */
  get certifiedTip(): number {
    return this.#chain.tipIndex;
  }

  async check(headers: readonly BlockHeader[], parent: CommitAnchor): Promise<CommitVerdict> {
    const parentStamp = decodeCommitStamp(parent.extraData);
    const start = parentStamp?.index ?? 0;
    this.#anchorAt(parent, start, parentStamp?.timestampMs ?? 0);
    let prev = start;
    for (const [i, h] of headers.entries()) {
      const stamp = decodeCommitStamp(h.extraData);
      if (stamp === undefined)
        return { invalid: i, verified: i, reason: `block ${h.number} has no commit stamp` };
      if (stamp.index <= prev)
        return {
          invalid: i,
          verified: i,
          reason: `block ${h.number}: commit ${stamp.index} does not follow commit ${prev}`,
        };
      if (stamp.index > this.#chain.tipIndex) await this.#extend(stamp.index);
      if (stamp.index > this.#chain.tipIndex) return { verified: i };
      const digest = this.#chain.digest(stamp.index);
      if (digest === undefined || !equalBytes(digest, h.mixHash))
        return {
          invalid: i,
          verified: i,
          reason: `block ${h.number}: prevRandao is not the digest of certified commit ${stamp.index}`,
        };
      if (this.#chain.timestamp(stamp.index) !== stamp.timestampMs)
        return {
          invalid: i,
          verified: i,
          reason: `block ${h.number}: commit ${stamp.index}'s timestamp is ${this.#chain.timestamp(stamp.index)}, the stamp says ${stamp.timestampMs}`,
        };
      prev = stamp.index;
    }
    return { verified: headers.length };
  }

  /** Keeps the chain when it covers the local head's commit; else starts it again there. */
  #anchorAt(parent: CommitAnchor, index: number, timestampMs: number): void {
    const digest = index === 0 ? ZERO_DIGEST : parent.mixHash;
    const known = this.#chain.digest(index);
    if (known !== undefined && equalBytes(known, digest)) {
      this.#chain.dropBelow(index);
      return;
    }
    this.#chain.reset(index, digest, timestampMs);
  }

  #extend(target: number): Promise<void> {
    if (this.#extending === undefined) {
      this.#extending = this.#extendFrom(target).finally(() => {
        this.#extending = undefined;
      });
    }
    return this.#extending;
  }

  /**
   * Asks peers in turn for ranges after the certified tip until the tip reaches `target`, a peer has
   * nothing more, or `maxPeersPerCheck` peers were asked.
   */
  async #extendFrom(target: number): Promise<void> {
    const maxChain = this.#o.maxChain ?? 1_000_000;
    const peers = this.#o.peers().slice(0, this.#o.maxPeersPerCheck ?? 3);
    for (const peer of peers) {
      // commits linked from the tip but not certified yet (an unvoted range), as [digest, timestamp]
      let linked: { digest: Uint8Array; timestampMs: number }[] = [];
      let end = { index: this.#chain.tipIndex, digest: this.#chain.digest(this.#chain.tipIndex)! };
      for (;;) {
        let res: FetchCommitsResponse;
        try {
          res = await this.#o.fetch(peer, {
            kind: "fetchCommits",
            from: end.index + 1,
            max: COMMIT_SYNC_BATCH,
            blocks: false,
          });
        } catch (e) {
          this.counters.fetchFailures++;
          this.#o.log?.({ peer, reason: (e as Error).message }, "commit certificates: fetch failed");
          break;
        }
        if (res.commits.length === 0) break;
        let range: { digest: Uint8Array; timestampMs: number }[];
        try {
          range = this.#verifyRange(res, end);
        } catch (e) {
          this.counters.invalidRanges++;
          this.#o.log?.({ peer, reason: (e as Error).message }, "commit certificates: invalid range");
          this.#o.penalize(peer, INVALID_PENALTY);
          break;
        }
        const last = range[range.length - 1]!;
        end = { index: end.index + range.length, digest: last.digest };
        if (res.votes.length > 0) {
          // certified: the linked commits before it and the range itself join the chain
          for (const c of linked) this.#chain.push(c.digest, c.timestampMs);
          for (const c of range) this.#chain.push(c.digest, c.timestampMs);
          linked = [];
          this.counters.rangesCertified++;
          if (this.#chain.tipIndex >= target) return;
        } else {
          linked.push(...range);
          this.counters.rangesLinked++;
          // a short unvoted range is the peer's newest: its votes are yet to come
          if (res.commits.length < COMMIT_SYNC_BATCH) break;
        }
        if (this.#chain.length + linked.length >= maxChain) break;
      }
    }
  }

  /**
   * The range's commits continue `after` (`linkCommitRange`); with votes, its last commit must be certified
   * by them (`verifyCommitRange`, each vote's signature checked first). Returns each commit's digest and
   * timestamp.
   */
  #verifyRange(
    res: FetchCommitsResponse,
    after: { index: number; digest: Uint8Array },
  ): { digest: Uint8Array; timestampMs: number }[] {
    if (res.blocks.length > 0)
      throw new FastEvmError(ErrorCode.NETWORK_PROTOCOL, "blocks sent to a certificates-only request");
    const commits = res.commits.map(decodeCommit);
    const digests =
      res.votes.length === 0
        ? linkCommitRange(commits, after)
        : verifyCommitRange(commits, after, res.votes.map(this.#o.verifyVote), this.#o.committee);
    return commits.map((c, i) => ({ digest: digests[i]!, timestampMs: c.timestampMs }));
  }
}
