/**
 * Virtual time for the network simulator: a binary heap of events ordered by (time, insertion sequence),
 * so two events at the same virtual millisecond always run in the order they were scheduled and a run
 * depends only on its seed.
 */
interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  private time = 0;

  get now(): number {
    return this.time;
  }

  schedule(delayMs: number, run: () => void): void {
    this.push({ at: this.time + Math.max(0, delayMs), seq: this.seq++, run });
  }

  scheduleAt(at: number, run: () => void): void {
    this.push({ at: Math.max(at, this.time), seq: this.seq++, run });
  }

  /** Runs events until the queue is empty or the next one is after `until`; leaves `now` at `until`. */
  runUntil(until: number): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.at > until) break;
      this.pop();
      this.time = top.at;
      top.run();
    }
    this.time = Math.max(this.time, until);
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
