/**
 * Persistence seam of consensus. Core is I/O-free: every step returns a `StoreBatch` that the driver must
 * write (atomically) before it broadcasts the step's own block or hands its commits to execution. Reads
 * are synchronous because they only happen during recovery and when serving fetches, and LMDB reads are
 * synchronous too; the LMDB implementation (node/storage tables) drops in behind this interface.
 */
import type { AuthorityIndex, Commit, Round } from "../../core/wire/consensus.ts";
import { decodeBlock, VerifiedBlock } from "./block.ts";
import { commitDigest, decodeCommit, encodeCommit } from "./commit.ts";

export interface StoredCommit {
  readonly commit: Commit;
  readonly digest: Uint8Array;
}

/** One atomic write: blocks before the commits that reference them. */
export interface StoreBatch {
  readonly blocks: readonly VerifiedBlock[];
  readonly commits: readonly StoredCommit[];
}

export interface ConsensusStore {
  /** Writes the batch atomically; resolves once it is durable. */
  write(batch: StoreBatch): Promise<void>;
  /** Accepted blocks of rounds ≥ `fromRound`, ascending by round. */
  scanBlocks(fromRound: Round): VerifiedBlock[];
  /** The highest-round stored block of `author` (first stored on ties). */
  lastBlockOf(author: AuthorityIndex): VerifiedBlock | undefined;
  readBlock(key: string): VerifiedBlock | undefined;
  lastCommit(): StoredCommit | undefined;
  /** Commits with index in [from, to], ascending. */
  readCommits(from: number, to: number): StoredCommit[];
}

export function isEmptyBatch(b: StoreBatch): boolean {
  return b.blocks.length === 0 && b.commits.length === 0;
}

/**
 * In-memory store holding the same bytes the LMDB store will (encoded blocks and commits), so restart
 * tests exercise the codecs. `write` applies synchronously and returns a resolved promise, which keeps
 * simulations deterministic. `wipe` models disk loss (amnesia).
 */
export class MemoryConsensusStore implements ConsensusStore {
  private blocks = new Map<string, { round: Round; author: AuthorityIndex; bytes: Uint8Array }>();
  private byRound = new Map<Round, string[]>();
  private last = new Map<AuthorityIndex, { round: Round; key: string }>();
  private commits: Uint8Array[] = [];
  writes = 0;

  write(batch: StoreBatch): Promise<void> {
    this.writes++;
    for (const b of batch.blocks) {
      if (this.blocks.has(b.key)) continue;
      this.blocks.set(b.key, { round: b.round, author: b.author, bytes: b.serialized });
      const r = this.byRound.get(b.round);
      if (r === undefined) this.byRound.set(b.round, [b.key]);
      else r.push(b.key);
      const l = this.last.get(b.author);
      if (l === undefined || b.round > l.round) this.last.set(b.author, { round: b.round, key: b.key });
    }
    for (const c of batch.commits) this.commits[c.commit.index - 1] = encodeCommit(c.commit);
    return Promise.resolve();
  }

  private load(key: string): VerifiedBlock | undefined {
    const e = this.blocks.get(key);
    return e === undefined ? undefined : new VerifiedBlock(decodeBlock(e.bytes), e.bytes);
  }

  scanBlocks(fromRound: Round): VerifiedBlock[] {
    const rounds = [...this.byRound.keys()].filter((r) => r >= fromRound).sort((a, b) => a - b);
    return rounds.flatMap((r) => this.byRound.get(r)!.map((k) => this.load(k)!));
  }

  lastBlockOf(author: AuthorityIndex): VerifiedBlock | undefined {
    const l = this.last.get(author);
    return l === undefined ? undefined : this.load(l.key);
  }

  readBlock(key: string): VerifiedBlock | undefined {
    return this.load(key);
  }

  lastCommit(): StoredCommit | undefined {
    const bytes = this.commits[this.commits.length - 1];
    if (bytes === undefined) return undefined;
    const commit = decodeCommit(bytes);
    return { commit, digest: commitDigest(commit) };
  }

  readCommits(from: number, to: number): StoredCommit[] {
    const out: StoredCommit[] = [];
    for (let i = Math.max(1, from); i <= Math.min(to, this.commits.length); i++) {
      const commit = decodeCommit(this.commits[i - 1]!);
      out.push({ commit, digest: commitDigest(commit) });
    }
    return out;
  }

  get blockCount(): number {
    return this.blocks.size;
  }

  /** Disk loss: everything is gone. */
  wipe(): void {
    this.blocks = new Map();
    this.byRound = new Map();
    this.last = new Map();
    this.commits = [];
  }
}
