/**
 * A deterministic network simulation of a committee: all randomness flows from one seed (latencies,
 * drops, fetch peers, fault timing), virtual time only. Scenario steps (crash, restart, partition, heal,
 * late join) are scheduled at virtual times; `checkSafety` and the commit records answer what the tests
 * assert.
 */
import { BlockVerifier } from "../../../node/consensus/mysticeti/blockVerifier.ts";
import type { CoreOptions } from "../../../node/consensus/mysticeti/core.ts";
import { Rng } from "../utils/random.ts";
import { type TestCommittee, testCommittee } from "../utils/testCommittee.ts";
import { EventQueue } from "./eventQueue.ts";
import { type LatencyModel, SimNetwork, uniformLatency } from "./network.ts";
import { type CommitRecord, SharedVerifier, SimNode } from "./simNode.ts";

export interface SimConfig {
  readonly seed: number;
  readonly stakes: readonly number[];
  readonly latency: LatencyModel;
  readonly dropRate: number;
  readonly core: Partial<CoreOptions>;
  /** nodes that start only at this virtual time (late joiners) */
  readonly startAt: ReadonlyMap<number, number>;
  /** per-node clock drift in ms */
  readonly drift: ReadonlyMap<number, number>;
  /** Byzantine nodes that equivocate on every block they propose */
  readonly equivocators?: readonly number[];
  /** peers serve fetches from their stores (default) or only from their in-memory DAG */
  readonly serveFromStore?: boolean;
}

export const DEFAULT_SIM: Omit<SimConfig, "seed"> = {
  stakes: [1, 1, 1, 1, 1, 1, 1],
  latency: uniformLatency,
  dropRate: 0.01,
  // SIM_REPUTATION=N runs every scenario with leader reputation windows of N commits (soak)
  core: {
    leaderTimeoutMs: 200,
    minRoundDelayMs: 50,
    gcDepth: 20,
    reputationWindow: Number(process.env.SIM_REPUTATION ?? 0),
  },
  startAt: new Map(),
  drift: new Map(),
};

export class Simulation {
  readonly queue = new EventQueue();
  readonly rng: Rng;
  readonly net: SimNetwork;
  readonly nodes: SimNode[];
  readonly t: TestCommittee;

  constructor(readonly config: SimConfig) {
    this.rng = new Rng(config.seed);
    this.t = testCommittee(config.stakes, 1_700_000_000_000);
    this.queue.scheduleAt(0, () => {});
    this.queue.runUntil(this.t.committee.epochStartMs);
    this.net = new SimNetwork(this.queue, this.rng, { latency: config.latency, dropRate: config.dropRate });
    const verifier = new SharedVerifier(new BlockVerifier(this.t.committee, this.t.verifier));
    this.nodes = config.stakes.map(
      (_, i) =>
        new SimNode(i, this.t, this.queue, this.net, verifier, this.rng, {
          core: config.core,
          syncIntervalMs: 300,
          rebroadcastMs: 1000,
          maxBlocksPerFetch: 300,
          clockDriftMs: config.drift.get(i) ?? 0,
          equivocate: config.equivocators?.includes(i) ?? false,
          serveFromStore: config.serveFromStore ?? true,
        }),
    );
    for (const n of this.nodes) {
      const at = config.startAt.get(n.id);
      if (at === undefined) n.start();
      else this.at(at, () => n.start());
    }
  }

  /** Virtual ms since the epoch start. */
  get elapsed(): number {
    return this.queue.now - this.t.committee.epochStartMs;
  }

  /** Schedules `fn` at `ms` after the epoch start. */
  at(ms: number, fn: () => void): void {
    this.queue.scheduleAt(this.t.committee.epochStartMs + ms, fn);
  }

  runFor(ms: number): void {
    this.queue.runUntil(this.queue.now + ms);
  }

  runUntil(ms: number): void {
    this.queue.runUntil(this.t.committee.epochStartMs + ms);
  }

  /** Longest commit sequence among all nodes. */
  longest(): CommitRecord[] {
    return this.nodes.reduce<CommitRecord[]>((l, n) => (n.commits.length > l.length ? n.commits : l), []);
  }

  /** Safety: every node's commit sequence is a prefix of the longest; returns a description or undefined. */
  checkSafety(): string | undefined {
    const longest = this.longest();
    for (const n of this.nodes) {
      for (let i = 0; i < n.commits.length; i++) {
        const c = n.commits[i]!;
        const ref = longest[i]!;
        if (c.index !== i + 1) return `node ${n.id}: commit at position ${i} has index ${c.index}`;
        if (c.digest !== ref.digest)
          return `node ${n.id}: commit ${c.index} is ${c.digest}, longest has ${ref.digest}`;
      }
    }
    return undefined;
  }

  /** Commits a node made in the virtual time window [fromMs, toMs) after the epoch start. */
  commitsBetween(node: number, fromMs: number, toMs: number): number {
    const s = this.t.committee.epochStartMs;
    return this.nodes[node]!.commits.filter((c) => c.at >= s + fromMs && c.at < s + toMs).length;
  }

  summary(): string {
    return this.nodes
      .map(
        (n) => `n${n.id}${n.up ? "" : "(down)"}: ${n.commits.length} commits, round ${n.core?.round ?? "-"}`,
      )
      .join("; ");
  }
}
