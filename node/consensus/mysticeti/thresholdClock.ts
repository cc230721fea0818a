/**
 * The threshold clock: the local round is r+1 once blocks of quorum stake at round r were accepted.
 * Accepting a block of a higher round jumps the clock to that round, since such a block proves a quorum
 * existed one round earlier.
 */
import type { AuthorityIndex, Round } from "../../core/wire/consensus.ts";
import { type Committee, StakeAggregator } from "./committee.ts";

export class ThresholdClock {
  private current: Round = 1;
  private readonly aggregator: StakeAggregator;

  constructor(committee: Committee) {
    this.aggregator = new StakeAggregator(committee);
  }

  get round(): Round {
    return this.current;
  }

  /** Feeds one accepted block; returns whether the round advanced. */
  add(round: Round, author: AuthorityIndex): boolean {
    // the clock aggregates blocks of its own round; older blocks cannot move it
    if (round < this.current) return false;
    // a jump to a higher round resets the aggregator
    const before = this.current;
    if (round > this.current) {
      this.aggregator.clear();
      this.current = round;
    }
    if (this.aggregator.add(author)) {
      this.aggregator.clear();
      this.current = round + 1;
    }
    return this.current > before;
  }
}
