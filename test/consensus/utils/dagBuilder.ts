/**
 * Builds signed DAG blocks for tests by hand (the DAG language and the random DAG generator sit on top).
 * Equivocating versions of a slot differ by a one-byte transaction carrying the version number.
 */
import { genesisBlocks, VerifiedBlock } from "../../../node/consensus/mysticeti/block.ts";
import type { TestCommittee } from "./testCommittee.ts";

export class DagBuilder {
  /** every block built, in build order (genesis excluded) */
  readonly blocks: VerifiedBlock[] = [];
  private readonly slots = new Map<string, VerifiedBlock[]>();

  constructor(
    readonly t: TestCommittee,
    /** block timestamp = round × this (monotonic, so the timestamp rule always holds) */
    readonly msPerRound = 100,
  ) {
    const c = t.committee;
    for (const g of genesisBlocks(c.epoch, c.size, c.epochStartMs)) this.slots.set(`0/${g.author}`, [g]);
  }

  /** Version `version` (0 = first) of slot (round, author), or undefined. */
  get(round: number, author: number, version = 0): VerifiedBlock | undefined {
    return this.slots.get(`${round}/${author}`)?.[version];
  }

  /** The first version of `author`'s latest block strictly below `round`. */
  latestBelow(author: number, round: number): VerifiedBlock {
    for (let r = round - 1; r >= 0; r--) {
      const b = this.get(r, author);
      if (b !== undefined) return b;
    }
    throw new Error(`no block of ${author} below ${round}`);
  }

  /**
   * Adds a block; the author's own previous block is put first (prepended if `ancestors` lacks it).
   * Returns the new block, which is also appended to `blocks`.
   */
  add(
    round: number,
    author: number,
    ancestors: readonly VerifiedBlock[],
    extraTxs: Uint8Array[] = [],
  ): VerifiedBlock {
    const version = this.slots.get(`${round}/${author}`)?.length ?? 0;
    let own = ancestors.find((a) => a.author === author);
    const others = ancestors.filter((a) => a.author !== author);
    own ??= this.latestBelow(author, round);
    const txs = version === 0 ? extraTxs : [new Uint8Array([0xee, version]), ...extraTxs];
    const signed = this.t.signers[author]!.sign({
      epoch: this.t.committee.epoch,
      round,
      author,
      timestampMs: this.t.committee.epochStartMs + round * this.msPerRound,
      ancestors: [own, ...others].map((a) => a.ref),
      transactions: txs,
      commitVotes: [],
    });
    const block = VerifiedBlock.fromBlock(signed);
    const list = this.slots.get(`${round}/${author}`);
    if (list === undefined) this.slots.set(`${round}/${author}`, [block]);
    else list.push(block);
    this.blocks.push(block);
    return block;
  }

  /** First versions of all blocks at `round`. */
  round(round: number): VerifiedBlock[] {
    const out: VerifiedBlock[] = [];
    for (let a = 0; a < this.t.committee.size; a++) {
      const b = this.get(round, a);
      if (b !== undefined) out.push(b);
    }
    return out;
  }
}
