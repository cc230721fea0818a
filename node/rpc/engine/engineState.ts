/**
 * What the Engine API remembers between calls: the chain it drives, one lock that serialises every call that
 * reads or moves the chain's flat state (newPayload, forkchoiceUpdated, payload builds — in arrival order, as
 * the spec requires for forkchoiceUpdated), the known-invalid blocks (verdicts never flip; descendants of an
 * invalid block are invalid too) and the payloads being built, by payloadId.
 */
import { DEFAULT_MAX_REORG_DEPTH } from "../../chain/blockPath.ts";
import type { Chain } from "../../chain/chain.ts";
import type { Block } from "../../core/block/block.ts";
import type { ExecutionPayload } from "../../core/block/payload.ts";
import { setNewest } from "../../core/boundedMap.ts";
import { SerialLock } from "../../core/serialLock.ts";
import type { ExecutionPayloadValue } from "../../core/wire/engine.ts";
import type { PayloadCheckResult, PayloadCheckTask } from "../../core/wire/payload.ts";
import type { EngineMetrics } from "../../metrics/metrics.ts";
import type { BuiltPayload, PayloadBuilder } from "./payloadBuilder.ts";

/** geth keeps 512 invalid tipsets and 10 payloads. */
export const MAX_INVALID = 512;
export const MAX_PAYLOADS = 10;

export interface InvalidEntry {
  /** the most recent valid ancestor (null: unknown) */
  readonly latestValidHash: string | null;
  readonly error: string;
}

export interface PendingPayload {
  /** the method version that started it (1, 2, 3), also byte 0 of its id */
  readonly version: 1 | 2 | 3;
  readonly timestamp: bigint;
  readonly result: Promise<BuiltPayload>;
}

export interface EngineCounters {
  newPayload: number;
  forkchoiceUpdated: number;
  payloadsBuilt: number;
  forcedTxsSkipped: number;
  reorgs: number;
  /** payloads the payload pool checked (decode, transactions root, block hash) for newPayload */
  payloadChecks: number;
}

/**
 * A payload getPayload served and the block it was made from: its JSON as sent (getPayload over JSON), or
 * its value as returned (the in-process engine; its JSON is made only if a JSON newPayload asks).
 */
export interface ServedPayload {
  json?: ExecutionPayload;
  readonly value?: ExecutionPayloadValue;
  readonly block: Block;
}

/** newPayload's stateless checks, run off the main thread (the CLI passes `PayloadPool.check`). */
export type PayloadChecker = (task: PayloadCheckTask) => Promise<PayloadCheckResult>;

export interface EngineOptions {
  /** deepest forkchoice reorg accepted (-38006 above), default DEFAULT_MAX_REORG_DEPTH (64), as the chain */
  readonly maxReorgDepth?: number;
  readonly log?: (msg: string) => void;
  /** the process's Engine API metrics (durations, status counts); absent: nothing is measured */
  readonly metrics?: EngineMetrics;
  /** ms clock for `lastForkchoice` (default Date.now) */
  readonly clock?: () => number;
}

/** The latest forkchoiceUpdated answered: when (clock ms) and its payload status (readiness reads it). */
export interface ForkchoiceSeen {
  readonly atMs: number;
  readonly status: string;
}

export class EngineState {
  readonly lock = new SerialLock();
  readonly invalid = new Map<string, InvalidEntry>();
  readonly payloads = new Map<string, PendingPayload>();
  readonly counters: EngineCounters = {
    newPayload: 0,
    forkchoiceUpdated: 0,
    payloadsBuilt: 0,
    forcedTxsSkipped: 0,
    reorgs: 0,
    payloadChecks: 0,
  };
  /** by block hash (lowercase hex), the last MAX_PAYLOADS payloads getPayload served; the oldest drops */
  readonly served = new Map<string, ServedPayload>();
  readonly maxReorgDepth: number;
  readonly log: (msg: string) => void;
  readonly metrics: EngineMetrics | undefined;
  readonly clock: () => number;
  lastForkchoice: ForkchoiceSeen | undefined;

  constructor(
    readonly chain: Chain,
    readonly builder: PayloadBuilder,
    readonly checkPayload: PayloadChecker,
    opts: EngineOptions = {},
  ) {
    this.maxReorgDepth = opts.maxReorgDepth ?? DEFAULT_MAX_REORG_DEPTH;
    this.log = opts.log ?? ((m) => console.error(m));
    this.metrics = opts.metrics;
    this.clock = opts.clock ?? Date.now;
  }

  markInvalid(hash: string, entry: InvalidEntry): void {
    if (this.invalid.size >= MAX_INVALID) {
      const oldest = this.invalid.keys().next().value;
      if (oldest !== undefined) this.invalid.delete(oldest);
    }
    this.invalid.set(hash, entry);
  }

  /** Remembers a payload getPayload answered with, so its newPayload need not check it again. */
  addServed(hash: string, p: ServedPayload): void {
    setNewest(this.served, hash, p, MAX_PAYLOADS);
  }

  addPayload(id: string, p: PendingPayload): void {
    if (this.payloads.has(id)) return;
    if (this.payloads.size >= MAX_PAYLOADS) {
      const oldest = this.payloads.keys().next().value;
      if (oldest !== undefined) this.payloads.delete(oldest);
    }
    // A failed build is reported by getPayload; keep the rejection from being "unhandled" meanwhile.
    p.result.catch(() => {});
    this.payloads.set(id, p);
  }
}
