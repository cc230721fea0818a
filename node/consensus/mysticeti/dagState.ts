/**
 * The local view of the DAG: every accepted block (all versions of an equivocating slot), indexed by ref,
 * slot and round, plus the commit chain tip and the per-block committed flags the linearizer needs.
 * Blocks at or below the GC round are evicted from memory; they can never be committed again.
 */
import type { AuthorityIndex, BlockRef, Commit, Round } from "../../core/wire/consensus.ts";
import { refKey, slotKey, type VerifiedBlock } from "./block.ts";
import type { Committee } from "./committee.ts";

export class DagState {
  private readonly blocks = new Map<string, VerifiedBlock>();
  private readonly slots = new Map<string, VerifiedBlock[]>();
  private readonly rounds = new Map<Round, VerifiedBlock[]>();
  /** highest-round block accepted per authority (first accepted wins at equal round) */
  private readonly lastBlocks: VerifiedBlock[];
  private readonly committed = new Set<string>();
  private highestRound: Round = 0;
  private evictedUpTo: Round = -1;
  private commit: Commit | undefined;
  private commitDigest: Uint8Array | undefined;
  /** blocks accepted for a slot (author, round) that already held one: equivocations seen (metrics) */
  equivocations = 0;

  constructor(
    readonly committee: Committee,
    genesis: readonly VerifiedBlock[],
    readonly gcDepth: number,
  ) {
    for (const g of genesis) this.accept(g);
    this.lastBlocks = [...genesis];
  }

  /** Adds a block whose ancestors above the GC round are present (the block manager ensures it). */
  accept(block: VerifiedBlock): void {
    if (this.blocks.has(block.key)) return;
    this.blocks.set(block.key, block);
    const sk = slotKey(block.round, block.author);
    const slot = this.slots.get(sk);
    if (slot === undefined) this.slots.set(sk, [block]);
    else {
      slot.push(block);
      this.equivocations++;
    }
    const r = this.rounds.get(block.round);
    if (r === undefined) this.rounds.set(block.round, [block]);
    else r.push(block);
    const last = this.lastBlocks?.[block.author];
    if (last !== undefined && block.round > last.round) this.lastBlocks[block.author] = block;
    if (block.round > this.highestRound) this.highestRound = block.round;
  }

  has(key: string): boolean {
    return this.blocks.has(key);
  }
  get(key: string): VerifiedBlock | undefined {
    return this.blocks.get(key);
  }
  getRef(ref: BlockRef): VerifiedBlock | undefined {
    return this.blocks.get(refKey(ref));
  }

  /** Whether a ref counts as locally available: present, or at/below the GC round (treated as settled). */
  isAvailable(ref: BlockRef, key: string): boolean {
    return ref.round <= this.gcRound() || this.blocks.has(key);
  }

  blocksAtRound(round: Round): readonly VerifiedBlock[] {
    return this.rounds.get(round) ?? [];
  }

  blocksAtSlot(round: Round, author: AuthorityIndex): readonly VerifiedBlock[] {
    return this.slots.get(slotKey(round, author)) ?? [];
  }

  get highestAcceptedRound(): Round {
    return this.highestRound;
  }

  lastBlockOf(author: AuthorityIndex): VerifiedBlock {
    return this.lastBlocks[author]!;
  }

  /** Highest accepted round per authority (sent with fetch requests). */
  highestAcceptedRounds(): Round[] {
    return this.lastBlocks.map((b) => b.round);
  }

  /** The latest block of `author` strictly below `round` and above the GC round (first accepted on ties). */
  latestBelow(author: AuthorityIndex, round: Round): VerifiedBlock | undefined {
    const gc = this.gcRound();
    const last = this.lastBlocks[author];
    let r = Math.min(round - 1, last?.round ?? 0);
    for (; r > gc; r--) {
      const s = this.slots.get(slotKey(r, author));
      if (s !== undefined && s.length > 0) return s[0];
    }
    return undefined;
  }

  /** All blocks at `round` in the causal history of `from` (by ancestor links, weak links included). */
  ancestorsAtRound(from: VerifiedBlock, round: Round): VerifiedBlock[] {
    const out: VerifiedBlock[] = [];
    const seen = new Set<string>([from.key]);
    const stack: VerifiedBlock[] = [from];
    while (stack.length > 0) {
      const b = stack.pop()!;
      for (let i = 0; i < b.ancestors.length; i++) {
        const ref = b.ancestors[i]!;
        if (ref.round < round) continue;
        const key = b.ancestorKeys[i]!;
        if (seen.has(key)) continue;
        seen.add(key);
        const a = this.blocks.get(key);
        if (a === undefined) continue;
        if (ref.round === round) out.push(a);
        else stack.push(a);
      }
    }
    return out;
  }

  // ----- commits ---------------------------------------------------------------------------------------

  isCommitted(key: string): boolean {
    return this.committed.has(key);
  }
  markCommitted(key: string): void {
    this.committed.add(key);
  }

  get lastCommit(): Commit | undefined {
    return this.commit;
  }
  get lastCommitDigest(): Uint8Array | undefined {
    return this.commitDigest;
  }
  get lastCommitIndex(): number {
    return this.commit?.index ?? 0;
  }
  get lastCommittedRound(): Round {
    return this.commit?.leader.round ?? 0;
  }

  /**
   * GC round: blocks at or below it are never accepted, fetched, proposed as ancestors, or committed.
   * Negative until the first commit past `gcDepth`, so genesis stays referencable early on.
   */
  gcRound(): Round {
    return this.lastCommittedRound - this.gcDepth;
  }

  /** Records a new commit tip and evicts blocks that fell below the new GC round. */
  setLastCommit(commit: Commit, digest: Uint8Array): void {
    this.commit = commit;
    this.commitDigest = digest;
    this.evict();
  }

  private evict(): void {
    const gc = this.gcRound();
    for (let r = this.evictedUpTo + 1; r <= gc; r++) {
      for (const b of this.rounds.get(r) ?? []) {
        // keep each authority's last block: it may still be the own-block ancestor of its next proposal
        if (this.lastBlocks[b.author] === b) continue;
        this.blocks.delete(b.key);
        this.committed.delete(b.key);
        this.slots.delete(slotKey(b.round, b.author));
      }
      this.rounds.delete(r);
    }
    if (gc > this.evictedUpTo) this.evictedUpTo = gc;
  }

  /** Number of blocks held in memory (tests watch it to see GC work). */
  get size(): number {
    return this.blocks.size;
  }
}
