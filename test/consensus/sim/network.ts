/**
 * The simulated network: seeded per-message latency, random drops, partitions, and crashed nodes. A
 * message is delivered only if, at delivery time, both ends are up and on the same side of the partition.
 */
import type { ConsensusMessage } from "../../../node/core/wire/consensus.ts";
import type { Rng } from "../utils/random.ts";
import type { EventQueue } from "./eventQueue.ts";

/** One-way latency in ms for one message. */
export type LatencyModel = (rng: Rng) => number;

/** Uniform 10–20 ms (a LAN or one region). */
export const uniformLatency: LatencyModel = (rng) => rng.int(10, 20);

/** 30–40 ms with 1% stragglers at 300–800 ms (Sui's bimodal simtest profile). */
export const bimodalLatency: LatencyModel = (rng) => (rng.chance(0.01) ? rng.int(300, 800) : rng.int(30, 40));

/** 60–80 ms with 1% at 500–1500 ms. */
export const wanLatency: LatencyModel = (rng) => (rng.chance(0.01) ? rng.int(500, 1500) : rng.int(60, 80));

export interface NetworkConfig {
  readonly latency: LatencyModel;
  /** probability that any one message is lost */
  readonly dropRate: number;
}

export class SimNetwork {
  private readonly handlers = new Map<number, (from: number, msg: ConsensusMessage) => void>();
  /** partition group per node; nodes talk only within a group (undefined: no partition) */
  private groups: Map<number, number> | undefined;
  sent = 0;
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly rng: Rng,
    private readonly config: NetworkConfig,
  ) {}

  /** Registers (or, with undefined, removes: a crash) the receive handler of `node`. */
  attach(node: number, handler: ((from: number, msg: ConsensusMessage) => void) | undefined): void {
    if (handler === undefined) this.handlers.delete(node);
    else this.handlers.set(node, handler);
  }

  partition(groups: readonly (readonly number[])[]): void {
    this.groups = new Map();
    groups.forEach((g, i) => {
      for (const n of g) this.groups!.set(n, i);
    });
  }

  heal(): void {
    this.groups = undefined;
  }

  private connected(a: number, b: number): boolean {
    return this.groups === undefined || this.groups.get(a) === this.groups.get(b);
  }

  send(from: number, to: number, msg: ConsensusMessage): void {
    this.sent++;
    if (!this.connected(from, to) || this.rng.chance(this.config.dropRate)) {
      this.dropped++;
      return;
    }
    this.queue.schedule(this.config.latency(this.rng), () => {
      const h = this.handlers.get(to);
      if (h === undefined || !this.connected(from, to)) {
        this.dropped++;
        return;
      }
      this.delivered++;
      h(from, msg);
    });
  }
}
