/**
 * Each node's resident memory during a run, read from its Prometheus endpoint (devnet.json `nodes[].metrics`;
 * prom-client's default `fastevm_process_resident_memory_bytes`) once a second: the most seen and the last, per node.
 * A node without an endpoint, or one that does not answer, is left out or keeps what it had; sampling never
 * fails the run.
 */

/**
 * The RSS a Prometheus text exposition reports, in bytes (`process_resident_memory_bytes`, with or without a
 * prefix such as the node's `fastevm_`); undefined when it has none.
 */
export function residentBytes(text: string): number | undefined {
  const m = /^(?:[a-zA-Z_:][\w:]*_)?process_resident_memory_bytes(?:\{[^}]*\})?\s+([0-9.eE+]+)\s*$/m.exec(
    text,
  );
  if (m === null) return undefined;
  const v = Number(m[1]);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

export interface NodeMemory {
  readonly name: string;
  /** MB (10^6 bytes), the most seen */
  readonly maxMb: number;
  /** MB, the last seen */
  readonly lastMb: number;
  readonly samples: number;
}

/** `name max/last MB` for each node, for the report's header; "not measured" when none was. */
export function memoryLine(mem: readonly NodeMemory[]): string {
  if (mem.length === 0) return "not measured (no metrics endpoint)";
  return mem.map((m) => `${m.name} ${Math.round(m.maxMb)}/${Math.round(m.lastMb)}`).join(", ");
}

export class MemorySampler {
  readonly #nodes: readonly { readonly name: string; readonly metrics: string }[];
  readonly #seen = new Map<string, { max: number; last: number; samples: number }>();
  readonly #timer: NodeJS.Timeout;
  #busy = false;

  /** Starts sampling the nodes that have a metrics URL, every `intervalMs`. */
  constructor(
    nodes: readonly { readonly name: string; readonly metrics?: string | undefined }[],
    intervalMs = 1000,
  ) {
    this.#nodes = nodes.flatMap((n) =>
      n.metrics === undefined ? [] : [{ name: n.name, metrics: n.metrics }],
    );
    this.#timer = setInterval(() => void this.sample(), intervalMs);
    this.#timer.unref();
  }

  /** One round over every node (a round still running is not overlapped). */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await Promise.all(
        this.#nodes.map(async (n) => {
          let bytes: number | undefined;
          try {
            const res = await fetch(n.metrics, { signal: AbortSignal.timeout(2000) });
            bytes = res.ok ? residentBytes(await res.text()) : undefined;
          } catch {
            return; // a node busy or gone: this round has no sample of it
          }
          if (bytes === undefined) return;
          const mb = bytes / 1e6;
          const s = this.#seen.get(n.name);
          if (s === undefined) this.#seen.set(n.name, { max: mb, last: mb, samples: 1 });
          else {
            s.max = Math.max(s.max, mb);
            s.last = mb;
            s.samples++;
          }
        }),
      );
    } finally {
      this.#busy = false;
    }
  }

  /** Stops sampling; what each node showed, in the nodes' order. */
  stop(): NodeMemory[] {
    clearInterval(this.#timer);
    return this.#nodes.flatMap((n) => {
      const s = this.#seen.get(n.name);
      return s === undefined ? [] : [{ name: n.name, maxMb: s.max, lastMb: s.last, samples: s.samples }];
    });
  }
}
