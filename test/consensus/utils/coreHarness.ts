/**
 * Four Mysticeti cores in one process, with instant delivery and a shared manual clock (`run(ms)` fires
 * their timers in 10 ms steps); `down` nodes receive and send nothing. Each core has its in-memory store,
 * written with every step's batch, so tests can serve commit ranges and certificates from them.
 */
import { refKey, type VerifiedBlock } from "../../../node/consensus/mysticeti/block.ts";
import type { Core, CoreOutput } from "../../../node/consensus/mysticeti/core.ts";
import { RoundRobinElection } from "../../../node/consensus/mysticeti/leaderSchedule.ts";
import { createCore } from "../../../node/consensus/mysticeti/recovery.ts";
import { MemoryConsensusStore } from "../../../node/consensus/mysticeti/store.ts";
import { type TestCommittee, testCommittee } from "./testCommittee.ts";

export const HARNESS_OPTS = { leaderTimeoutMs: 200, minRoundDelayMs: 50, gcDepth: 10 };

export class CoreHarness {
  now = 0;
  readonly stores = [0, 1, 2, 3].map(() => new MemoryConsensusStore());
  readonly cores: Core[];
  readonly commits: string[][] = [[], [], [], []];
  readonly outputs: CoreOutput[][] = [[], [], [], []];
  readonly wake: (number | undefined)[] = [undefined, undefined, undefined, undefined];
  readonly down = new Set<number>();

  constructor(
    readonly t: TestCommittee = testCommittee(4),
    readonly opts: typeof HARNESS_OPTS = HARNESS_OPTS,
  ) {
    this.cores = [0, 1, 2, 3].map((i) => this.make(i));
  }

  make(i: number): Core {
    return createCore({
      committee: this.t.committee,
      authority: i,
      signer: this.t.signers[i]!,
      clock: () => this.now,
      store: this.stores[i]!,
      election: new RoundRobinElection(this.t.committee),
      options: this.opts,
    });
  }

  handle(i: number, out: CoreOutput): void {
    this.outputs[i]!.push(out);
    void this.stores[i]!.write(out.persist);
    for (const c of out.commits) this.commits[i]!.push(`${c.commit.index}:${c.leader.round}`);
    if (out.wakeAtMs !== undefined) this.wake[i] = out.wakeAtMs;
    for (const b of out.broadcast) this.deliver(i, b);
    // synchronous fetch of missing ancestors from the first live peer that has them
    const fetched: VerifiedBlock[] = [];
    for (const ref of out.missing) {
      for (let j = 0; j < 4; j++) {
        const b = j === i || this.down.has(j) ? undefined : this.stores[j]!.readBlock(refKey(ref));
        if (b !== undefined) {
          fetched.push(b);
          break;
        }
      }
    }
    if (fetched.length > 0) this.handle(i, this.cores[i]!.addBlocks(fetched));
  }

  deliver(from: number, b: VerifiedBlock): void {
    for (let j = 0; j < 4; j++)
      if (j !== from && !this.down.has(j)) this.handle(j, this.cores[j]!.addBlocks([b]));
  }

  /** Advances time by `ms` in 10 ms steps, firing due timers. */
  run(ms: number): void {
    const end = this.now + ms;
    for (this.now; this.now <= end; this.now += 10) {
      for (let i = 0; i < 4; i++) {
        if (this.down.has(i)) continue;
        const w = this.wake[i];
        if (w === undefined || w <= this.now) {
          this.wake[i] = undefined;
          this.handle(i, this.cores[i]!.tick());
        }
      }
    }
  }
}
