/**
 * What a run records (one TxRecord per signed transaction, one BlockRecord per block seen) and the per-step
 * summary computed from it. Percentiles are exact, nearest-rank over the sorted samples.
 */

export interface TxRecord {
  readonly step: number;
  readonly hash: string;
  readonly sender: number;
  readonly nonce: number;
  readonly kind: "transfer" | "erc20";
  readonly node: number;
  readonly raw: string;
  /** wall clock (ms) of the first send, of the accepting reply, of the including block's arrival */
  firstSentMs?: number;
  acceptedMs?: number;
  includedMs?: number;
  attempts: number;
  /** the last refusal's JSON-RPC message */
  lastRefusal?: string;
  block?: number;
  status?: number;
  gasUsed?: number;
}

export interface BlockRecord {
  readonly number: number;
  readonly hash: string;
  /** when the newHeads notification (or poll) reported it, local wall clock ms */
  readonly seenMs: number;
  /** the block's time in ms: the commit stamp in extraData when present, else the header timestamp */
  readonly timeMs: number;
  readonly txCount: number;
  /** transactions of this run in it */
  readonly ours: number;
  readonly gasUsed: number;
  readonly gasLimit: number;
  readonly baseFee: bigint;
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface StepSummary {
  readonly step: number;
  readonly rate: number;
  readonly durationS: number;
  /** eth_sendRawTransaction requests sent (first sends and resends after a refusal) */
  readonly offered: number;
  /** distinct transactions a node accepted */
  readonly accepted: number;
  readonly refused: number;
  readonly refusedByReason: Readonly<Record<string, number>>;
  /** transport failures (no JSON-RPC reply) */
  readonly failed: number;
  readonly included: number;
  /** included with receipt status 0 */
  readonly reverted: number;
  /** accepted, not included when the drain ended */
  readonly pending: number;
  readonly tps: number;
  readonly gasPerSecond: number;
  /** inclusion latency (first send → including block seen), ms */
  readonly latencyMs: Percentiles;
  readonly blocks: number;
  /** time between consecutive blocks of the step, ms */
  readonly blockIntervalMs: { readonly avg: number; readonly p50: number; readonly max: number };
}

/** Exact nearest-rank percentiles of `samples` (NaN when empty). */
export function percentiles(samples: readonly number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    s.length === 0 ? Number.NaN : s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length === 0 ? Number.NaN : s[s.length - 1]! };
}

export interface StepCounters {
  offered: number;
  failed: number;
  readonly refusedByReason: Map<string, number>;
}

/**
 * The summary of one step. TPS and gas/s come from the blocks that include the step's transactions: the
 * transactions (gas) of all but the first such block over the time from the first to the last (one block:
 * all of it over the step's duration).
 */
export function summarize(
  step: number,
  rate: number,
  durationS: number,
  txs: readonly TxRecord[],
  blocks: readonly BlockRecord[],
  counters: StepCounters,
): StepSummary {
  const mine = txs.filter((t) => t.step === step);
  const included = mine.filter((t) => t.block !== undefined);
  const accepted = mine.filter((t) => t.acceptedMs !== undefined || t.block !== undefined).length;
  const withStep = new Set(included.map((t) => t.block!));
  const stepBlocks = blocks.filter((b) => withStep.has(b.number)).sort((a, b) => a.number - b.number);
  const oursIn = (b: BlockRecord): number => included.filter((t) => t.block === b.number).length;
  let tps = 0;
  let gasPerSecond = 0;
  if (stepBlocks.length === 1) {
    tps = included.length / durationS;
    gasPerSecond = stepBlocks[0]!.gasUsed / durationS;
  } else if (stepBlocks.length > 1) {
    const first = stepBlocks[0]!;
    const last = stepBlocks[stepBlocks.length - 1]!;
    const spanS = Math.max(1, last.timeMs - first.timeMs) / 1000;
    tps = (included.length - oursIn(first)) / spanS;
    gasPerSecond = stepBlocks.slice(1).reduce((g, b) => g + b.gasUsed, 0) / spanS;
  }
  const intervals: number[] = [];
  for (let i = 1; i < stepBlocks.length; i++)
    intervals.push(stepBlocks[i]!.timeMs - stepBlocks[i - 1]!.timeMs);
  const ip = percentiles(intervals);
  const refused = [...counters.refusedByReason.values()].reduce((a, b) => a + b, 0);
  return {
    step,
    rate,
    durationS,
    offered: counters.offered,
    accepted,
    refused,
    refusedByReason: Object.fromEntries([...counters.refusedByReason].sort((a, b) => b[1] - a[1])),
    failed: counters.failed,
    included: included.length,
    reverted: included.filter((t) => t.status === 0).length,
    pending: accepted - included.length,
    tps,
    gasPerSecond,
    latencyMs: percentiles(included.map((t) => t.includedMs! - t.firstSentMs!)),
    blocks: stepBlocks.length,
    blockIntervalMs: {
      avg: intervals.length === 0 ? Number.NaN : intervals.reduce((a, b) => a + b, 0) / intervals.length,
      p50: ip.p50,
      max: ip.max,
    },
  };
}
