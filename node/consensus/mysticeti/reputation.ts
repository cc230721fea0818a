/**
 * Leader reputation: validators that get few blocks committed make poor leaders (their slots time out or
 * get skipped), so every `window` commits the schedule is adjusted: the lowest scorers up to
 * `badStakeFraction` of the stake are swapped out, when elected, for one of the top scorers. Scores come
 * only from the committed sequence (blocks each authority got into committed sub-DAGs), so every
 * validator computes the same table at the same commit index and the schedule stays deterministic.
 */
import type { AuthorityIndex, Round } from "../../core/wire/consensus.ts";
import type { CommittedSubDag } from "./commit.ts";
import type { Committee } from "./committee.ts";
import type { LeaderSwapTable } from "./leaderSchedule.ts";

export const DEFAULT_BAD_STAKE_FRACTION = 0.2;

export class ReputationSwapTable implements LeaderSwapTable {
  readonly good: readonly AuthorityIndex[];
  readonly bad: ReadonlySet<AuthorityIndex>;

  constructor(
    committee: Committee,
    readonly scores: readonly number[],
    badStakeFraction = DEFAULT_BAD_STAKE_FRACTION,
  ) {
    // best first; ties broken by index so the order is total
    const order = scores.map((s, a) => ({ s, a })).sort((x, y) => y.s - x.s || x.a - y.a);
    const limit = Math.floor(committee.totalStake * badStakeFraction);
    const take = (list: { a: number }[]): AuthorityIndex[] => {
      const out: AuthorityIndex[] = [];
      let stake = 0;
      for (const { a } of list) {
        if (stake + committee.stake(a) > limit) break;
        stake += committee.stake(a);
        out.push(a);
      }
      return out;
    };
    const good = take(order);
    const bad = take([...order].reverse()).filter((a) => !good.includes(a));
    this.good = good;
    this.bad = new Set(bad);
  }

  swap(leader: AuthorityIndex, round: Round, offset: number): AuthorityIndex | undefined {
    if (!this.bad.has(leader) || this.good.length === 0) return undefined;
    // a fixed mix of (round, offset) picks the replacement: every validator picks the same one
    const h = Math.imul(round ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(offset + 1, 0xc2b2ae35);
    return this.good[(h >>> 0) % this.good.length];
  }
}

/**
 * Accumulates scores over the current window and yields a new table when a window completes. A slot
 * (round, author) scores once, and an authority with two committed blocks in one slot has equivocated:
 * it scores lowest for the window, so equivocating never earns leader slots.
 */
export class ReputationTracker {
  private scores: number[];
  private slots = new Set<string>();
  private equivocators = new Set<AuthorityIndex>();

  constructor(
    private readonly committee: Committee,
    readonly window: number,
  ) {
    this.scores = new Array<number>(committee.size).fill(0);
  }

  /** Feeds one commit (in index order); returns the new swap table if this commit closes a window. */
  onCommit(subDag: CommittedSubDag): ReputationSwapTable | undefined {
    for (const b of subDag.blocks) {
      const slot = `${b.round}/${b.author}`;
      if (this.slots.has(slot)) {
        this.equivocators.add(b.author);
        continue;
      }
      this.slots.add(slot);
      this.scores[b.author] = (this.scores[b.author] ?? 0) + 1;
    }
    if (this.window <= 0 || subDag.commit.index % this.window !== 0) return undefined;
    for (const a of this.equivocators) this.scores[a] = -1;
    const table = new ReputationSwapTable(this.committee, this.scores);
    this.scores = new Array<number>(this.committee.size).fill(0);
    this.slots = new Set();
    this.equivocators = new Set();
    return table;
  }

  /** Whether the commit with this index closes a window. */
  closesWindow(index: number): boolean {
    return this.window > 0 && index % this.window === 0;
  }
}
