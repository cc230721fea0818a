/**
 * Seeded random DAGs and random delivery orders for the determinism tests (after Sui's randomized tests).
 * Every round, a random set of at least quorum stake proposes; each block references its own previous
 * block, a random quorum-or-more of round−1, the previous round's leader with probability
 * `leaderLinkChance`, and sometimes an older block as a weak link. Equivocators sign 1–2 extra versions
 * per round with different ancestors; other authorities reference one version at random.
 */
import type { VerifiedBlock } from "../../../node/consensus/mysticeti/block.ts";
import { type Committee, StakeAggregator } from "../../../node/consensus/mysticeti/committee.ts";
import { LeaderSchedule, StakeWeightedElection } from "../../../node/consensus/mysticeti/leaderSchedule.ts";
import { DagBuilder } from "./dagBuilder.ts";
import type { Rng } from "./random.ts";
import type { TestCommittee } from "./testCommittee.ts";

export interface RandomDagOptions {
  readonly rounds: number;
  readonly equivocators: readonly number[];
  /** probability that a block links to the previous round's leader */
  readonly leaderLinkChance: number;
  /** probability that an authority sits a round out */
  readonly skipChance: number;
}

function hasQuorum(committee: Committee, blocks: readonly VerifiedBlock[]): boolean {
  const agg = new StakeAggregator(committee);
  for (const b of blocks) agg.add(b.author);
  return agg.reachedQuorum();
}

export function randomDag(t: TestCommittee, rng: Rng, o: RandomDagOptions): DagBuilder {
  const c = t.committee;
  const builder = new DagBuilder(t);
  const schedule = new LeaderSchedule(new StakeWeightedElection(c));
  const n = c.size;
  for (let r = 1; r <= o.rounds; r++) {
    const prev = r === 1 ? builder.round(0) : builder.blocks.filter((b) => b.round === r - 1);
    let producers = Array.from({ length: n }, (_, a) => a).filter(() => !rng.chance(o.skipChance));
    while (
      !hasQuorum(
        c,
        producers.map((a) => ({ author: a }) as VerifiedBlock),
      )
    ) {
      producers = Array.from({ length: n }, (_, a) => a);
    }
    const leader = schedule.leaderAt(r - 1);
    for (const author of producers) {
      const versions = o.equivocators.includes(author) ? rng.int(2, 3) : 1;
      for (let v = 0; v < versions; v++) {
        builder.add(r, author, pickAncestors(builder, rng, prev, author, r, leader, o, c));
      }
    }
  }
  return builder;
}

function pickAncestors(
  builder: DagBuilder,
  rng: Rng,
  prev: readonly VerifiedBlock[],
  author: number,
  round: number,
  leader: number,
  o: RandomDagOptions,
  c: Committee,
): VerifiedBlock[] {
  // one version per authority at round−1, chosen at random among its equivocations
  const byAuthor = new Map<number, VerifiedBlock[]>();
  for (const b of prev) byAuthor.set(b.author, [...(byAuthor.get(b.author) ?? []), b]);
  const own = builder.latestBelow(author, round);
  for (;;) {
    const chosen: VerifiedBlock[] = [own];
    for (const [a, versions] of byAuthor) {
      if (a === author) continue;
      const include = a === leader ? rng.chance(o.leaderLinkChance) : rng.chance(0.8);
      if (include) chosen.push(rng.pick(versions));
      else if (rng.chance(0.2)) {
        // weak link to an older block of this authority
        const older = builder.get(Math.max(0, round - rng.int(2, 4)), a);
        if (older !== undefined) chosen.push(older);
      }
    }
    if (
      hasQuorum(
        c,
        chosen.filter((b) => b.round === round - 1),
      )
    )
      return chosen;
  }
}

/**
 * A random delivery order that never runs more than `maxStep` rounds ahead of the lowest undelivered
 * round (like a real network), or a full shuffle when `maxStep` is Infinity (maximal suspension).
 */
export function randomOrder(blocks: readonly VerifiedBlock[], rng: Rng, maxStep: number): VerifiedBlock[] {
  if (!Number.isFinite(maxStep)) return rng.shuffle([...blocks]);
  const byRound = new Map<number, VerifiedBlock[]>();
  for (const b of blocks) byRound.set(b.round, [...(byRound.get(b.round) ?? []), b]);
  const rounds = [...byRound.keys()].sort((a, b) => a - b);
  const out: VerifiedBlock[] = [];
  let lo = 0;
  while (lo < rounds.length) {
    const window: VerifiedBlock[][] = [];
    for (let i = lo; i < Math.min(rounds.length, lo + maxStep); i++) {
      const l = byRound.get(rounds[i]!)!;
      if (l.length > 0) window.push(l);
    }
    const l = rng.pick(window);
    out.push(l.splice(rng.int(0, l.length - 1), 1)[0]!);
    while (lo < rounds.length && byRound.get(rounds[lo]!)!.length === 0) lo++;
  }
  return out;
}
