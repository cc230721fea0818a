/**
 * One score per peer, shared by every protocol a node speaks (consensus blocks and fetches, transaction
 * gossip, block sync): an invalid message costs `INVALID_PENALTY`, and a peer whose score falls below
 * `MIN_SCORE` is disconnected. Scores are kept for at most `MAX_TRACKED` peers (the oldest entry is
 * forgotten first), so a stream of throw-away peer ids cannot grow memory.
 */

import { setNewest } from "../core/boundedMap.ts";
import type { P2pMetrics } from "../metrics/metrics.ts";
import type { Host } from "./host.ts";

/** Below this score a peer is disconnected. */
export const MIN_SCORE = -100;
export const INVALID_PENALTY = 25;
const MAX_TRACKED = 4096;

export class PeerScores {
  readonly #scores = new Map<string, number>();

  constructor(
    private readonly host: Host,
    private readonly metrics?: P2pMetrics,
  ) {
    // connected peers only: a disconnected one's series disappears at the next scrape
    metrics?.peerScore.addCollect((g) => {
      g.reset();
      for (const p of host.getPeers()) {
        const id = p.toString();
        g.set({ peer: id }, this.score(id));
      }
    });
  }

  score(peer: string): number {
    return this.#scores.get(peer) ?? 0;
  }

  /** Lowers `peer`'s score (by `INVALID_PENALTY` unless told) and hangs up on it below `MIN_SCORE`. */
  penalize(peer: string, by: number = INVALID_PENALTY): void {
    const s = this.score(peer) - by;
    this.metrics?.penalties.inc();
    setNewest(this.#scores, peer, s, MAX_TRACKED);
    if (s < MIN_SCORE) {
      const p = this.host.getPeers().find((x) => x.toString() === peer);
      if (p !== undefined) void this.host.hangUp(p).catch(() => {});
    }
  }
}
