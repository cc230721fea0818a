/**
 * Causal delivery: a verified block enters the DAG only once all its ancestors above the GC round are
 * there. Blocks with missing ancestors are suspended; accepting a block wakes its suspended descendants.
 * The manager reports which refs are missing (neither in the DAG nor suspended) so the synchronizer can
 * fetch them. It also applies the one verification rule that needs the ancestors: a block's timestamp is
 * never below any ancestor's.
 */
import type { BlockRef } from "../../core/wire/consensus.ts";
import type { VerifiedBlock } from "./block.ts";
import { BlockRejectReason } from "./blockVerifier.ts";
import type { DagState } from "./dagState.ts";

interface Suspended {
  readonly block: VerifiedBlock;
  /** keys of ancestors not yet accepted */
  readonly missing: Set<string>;
}

export interface AcceptResult {
  /** newly accepted blocks, ancestors before descendants */
  readonly accepted: VerifiedBlock[];
  /** blocks dropped for good, with the reason (they or an ancestor broke the timestamp rule) */
  readonly rejected: { block: VerifiedBlock; reason: BlockRejectReason }[];
  /** refs that should be fetched from peers */
  readonly missing: BlockRef[];
}

export class BlockManager {
  private readonly suspended = new Map<string, Suspended>();
  /** ancestor key → keys of suspended blocks waiting for it */
  private readonly waiters = new Map<string, Set<string>>();
  /** refs neither in the DAG nor suspended: what must be fetched */
  private readonly missing = new Map<string, BlockRef>();
  /** keys of blocks rejected once: a descendant referencing them can never be accepted */
  private readonly invalid = new Set<string>();

  /** blocks refused because the suspension buffer was full (they come back through fetch or rebroadcast) */
  overflow = 0;

  constructor(
    private readonly dag: DagState,
    /** bound on suspended blocks: a peer flooding blocks with unknown ancestors cannot grow memory */
    private readonly maxSuspended = 20_000,
  ) {}

  tryAccept(blocks: readonly VerifiedBlock[]): AcceptResult {
    const result: AcceptResult = { accepted: [], rejected: [], missing: [] };
    const newlyMissing = new Map<string, BlockRef>();
    const gc = this.dag.gcRound();
    for (const b of blocks) {
      if (b.round <= gc || this.dag.has(b.key) || this.suspended.has(b.key)) continue;
      if (this.invalid.has(b.key)) continue;
      const missing = new Set<string>();
      for (let i = 0; i < b.ancestors.length; i++) {
        const ref = b.ancestors[i]!;
        const key = b.ancestorKeys[i]!;
        if (this.invalid.has(key)) {
          this.reject(b, BlockRejectReason.TIMESTAMP_BEFORE_ANCESTOR, result);
          break;
        }
        if (this.dag.isAvailable(ref, key)) continue;
        missing.add(key);
        if (!this.suspended.has(key) && !this.missing.has(key)) {
          this.missing.set(key, ref);
          newlyMissing.set(key, ref);
        }
      }
      if (this.invalid.has(b.key)) continue;
      this.missing.delete(b.key);
      newlyMissing.delete(b.key);
      if (missing.size === 0) {
        this.acceptWithDescendants(b, result);
      } else if (this.suspended.size >= this.maxSuspended) {
        this.overflow++;
        // nothing waits for its ancestors unless another suspended block does
        for (const k of missing) {
          if (this.waiters.has(k)) continue;
          newlyMissing.delete(k);
          this.missing.delete(k);
        }
      } else {
        this.suspended.set(b.key, { block: b, missing });
        for (const k of missing) {
          const w = this.waiters.get(k);
          if (w === undefined) this.waiters.set(k, new Set([b.key]));
          else w.add(b.key);
        }
      }
    }
    for (const [k, ref] of newlyMissing) if (this.missing.has(k)) result.missing.push(ref);
    return result;
  }

  /** Refs currently missing (for the periodic synchronizer sweep). */
  missingBlocks(): BlockRef[] {
    return [...this.missing.values()];
  }

  get suspendedCount(): number {
    return this.suspended.size;
  }

  /**
   * After the GC round moved: ancestors at or below it no longer block anything, and suspended blocks at
   * or below it are dropped.
   */
  onGcAdvanced(): AcceptResult {
    const result: AcceptResult = { accepted: [], rejected: [], missing: [] };
    const gc = this.dag.gcRound();
    for (const [k, ref] of this.missing) if (ref.round <= gc) this.missing.delete(k);
    for (const k of this.waiters.keys()) if (Number.parseInt(k, 10) <= gc) this.waiters.delete(k);
    const ready: VerifiedBlock[] = [];
    for (const [key, s] of this.suspended) {
      if (s.block.round <= gc) {
        this.suspended.delete(key);
        continue;
      }
      for (const m of s.missing) if (Number.parseInt(m, 10) <= gc) s.missing.delete(m);
      if (s.missing.size === 0) ready.push(s.block);
    }
    for (const b of ready) {
      this.suspended.delete(b.key);
      this.acceptWithDescendants(b, result);
    }
    return result;
  }

  /**
   * Blocks that entered the DAG without the manager (certified commits from commit sync): stop fetching
   * them and wake what was waiting for them.
   */
  onExternallyAccepted(blocks: readonly VerifiedBlock[]): AcceptResult {
    const result: AcceptResult = { accepted: [], rejected: [], missing: [] };
    for (const b of blocks) {
      this.missing.delete(b.key);
      this.suspended.delete(b.key);
      const w = this.waiters.get(b.key);
      if (w === undefined) continue;
      this.waiters.delete(b.key);
      for (const childKey of w) {
        const s = this.suspended.get(childKey);
        if (s === undefined) continue;
        s.missing.delete(b.key);
        if (s.missing.size === 0) {
          this.suspended.delete(childKey);
          this.acceptWithDescendants(s.block, result);
        }
      }
    }
    return result;
  }

  private timestampOk(b: VerifiedBlock): boolean {
    for (const key of b.ancestorKeys) {
      const a = this.dag.get(key);
      if (a !== undefined && a.timestampMs > b.timestampMs) return false;
    }
    return true;
  }

  private acceptWithDescendants(first: VerifiedBlock, result: AcceptResult): void {
    const queue = [first];
    while (queue.length > 0) {
      const b = queue.shift()!;
      if (!this.timestampOk(b)) {
        this.reject(b, BlockRejectReason.TIMESTAMP_BEFORE_ANCESTOR, result);
        continue;
      }
      this.dag.accept(b);
      this.missing.delete(b.key);
      result.accepted.push(b);
      const w = this.waiters.get(b.key);
      if (w === undefined) continue;
      this.waiters.delete(b.key);
      for (const childKey of w) {
        const s = this.suspended.get(childKey);
        if (s === undefined) continue;
        s.missing.delete(b.key);
        if (s.missing.size === 0) {
          this.suspended.delete(childKey);
          queue.push(s.block);
        }
      }
    }
  }

  /** Drops `b` and, transitively, every suspended block waiting for it. */
  private reject(b: VerifiedBlock, reason: BlockRejectReason, result: AcceptResult): void {
    const queue = [b];
    while (queue.length > 0) {
      const x = queue.pop()!;
      if (this.invalid.has(x.key)) continue;
      this.invalid.add(x.key);
      this.suspended.delete(x.key);
      this.missing.delete(x.key);
      result.rejected.push({ block: x, reason });
      const w = this.waiters.get(x.key);
      this.waiters.delete(x.key);
      for (const k of w ?? []) {
        const s = this.suspended.get(k);
        if (s !== undefined) queue.push(s.block);
      }
    }
  }
}
