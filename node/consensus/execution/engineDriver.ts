/**
 * The Engine API driver: turns each committed sub-DAG, in commit-index order, into an EVM block on the
 * execution node (ARCHITECTURE §3), through the typed ExecutionEngine (node/core/wire/engine.ts: direct
 * calls in process, the HTTP client out of process). For a non-empty sub-DAG: forkchoiceUpdatedV3(head, attributes) →
 * getPayloadV3 → newPayloadV3 → forkchoiceUpdatedV3(new head). Empty sub-DAGs produce no block; they only
 * advance the executed commit index.
 *
 * Attributes: timestamp = the commit time in seconds (never below the parent's; above it on strict chains),
 * prevRandao = the commit digest, suggestedFeeRecipient = the chain's fee-recipient rule
 * (`config.fastevm.feeRecipient`: the commit leader's fee recipient in the committee, or a fixed address),
 * withdrawals = [],
 * parentBeaconBlockRoot = 32 zero bytes (there is no beacon chain), and the FastEVM extension:
 * `transactions` (linearized, de-duplicated), `noTxPool: true`, `extraData` = the commit stamp
 * (node/core/chain/commitStamp.ts), `gasLimit` when configured. Every input is a function of the commit sequence and the
 * chain, so every validator builds byte-identical blocks.
 *
 * Idempotent by commit index: the head block's stamp says which commit was executed last, so after a crash
 * (of either side) commits at or below it are skipped. A transient failure (an unreachable, restarting or
 * syncing execution node) is retried with exponential backoff, forever: a commit is never skipped (consensus
 * waits, back-pressured). A deterministic rejection (engineFailure.ts: an INVALID payload, invalid attributes,
 * …) is not retried: `execute` rejects with CONSENSUS_ENGINE_REJECTED and `onRejected` is told, and the
 * validator stops.
 *
 * Catch-up by block sync (`followBlockSync`): a validator far behind imports the chain from its peers (every
 * block re-executed, its commit stamp checked against certified commits) while its consensus catches up by
 * commit sync. Each commit consensus hands over is then first looked up on the execution head: a commit at
 * or below the head's stamp was executed by an imported block and is skipped; a non-empty commit above it
 * waits while block sync is still behind its peers and moving the head. The first non-empty commit it
 * does not cover once sync has caught up (or stalled for CATCH_UP_STALL_MS) stops block sync (awaiting
 * its in-flight import), and from there the driver builds every block itself: one writer of the head at
 * any time. Consensus waits meanwhile (back-pressure, as on a slow execution node).
 */
import { DEFAULT_TIMESTAMP_RULE, minChildTimestamp } from "../../core/chain/blockRules.ts";
import type { FeeRecipientRule, TimestampRule } from "../../core/chain/chainConfig.ts";
import { decodeCommitStamp, encodeCommitStamp } from "../../core/chain/commitStamp.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex, hexToBytes } from "../../core/hex.ts";
import type { ExecutionEngine, PayloadAttributes } from "../../core/wire/engine.ts";
import { type CommittedSubDag, subDagTransactions } from "../mysticeti/commit.ts";
import type { Committee } from "../mysticeti/committee.ts";
import { classifyEngineFailure, engineRejected, payloadStatusError } from "./engineFailure.ts";

export interface EngineDriverOptions {
  /** the execution node: in process (typed calls) or over HTTP (the CLI picks; node/consensus never imports node/rpc) */
  readonly engine: ExecutionEngine;
  readonly committee: Committee;
  /**
   * the execution chain's timestamp rule (pass the chain's: FastEVM chains declare non-decreasing); default
   * DEFAULT_TIMESTAMP_RULE (strict), which every chain accepts
   */
  readonly timestampRule?: TimestampRule;
  /** the execution chain's fee-recipient rule (`config.fastevm.feeRecipient`; default `leader`) */
  readonly feeRecipient?: FeeRecipientRule;
  readonly gasLimit?: bigint;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly log?: (message: string) => void;
  /** called once when a commit is rejected deterministically (the error `execute` rejects with) */
  readonly onRejected?: (e: FastEvmError) => void;
  /** called after each block becomes the head */
  readonly onBlock?: (b: ExecutedBlock) => void;
  /** block sync that has not moved the head for this long is taken over (default CATCH_UP_STALL_MS) */
  readonly catchUpStallMs?: number;
}

export interface ExecutedBlock {
  readonly commitIndex: number;
  readonly number: bigint;
  readonly hash: string;
  readonly transactions: number;
}

/** Block sync moving the execution head beside the driver (a validator catching up; node/cli/fullNode.ts). */
export interface CatchUpSync {
  /** until `stop`: it may still move the head */
  readonly running: boolean;
  /** whether it still has blocks to fetch (a peer's head is above ours) */
  behind(): boolean;
  /** stops it; resolves once no import it started is in flight */
  stop(): Promise<void>;
}

/** How often a commit waiting for block sync looks at the head again, ms. */
export const CATCH_UP_POLL_MS = 50;
/** Block sync that has not moved the head for this long while behind is taken over by the driver, ms. */
export const CATCH_UP_STALL_MS = 10_000;

interface Head {
  /** lowercase hex */
  readonly hash: string;
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
}

const ZERO32 = new Uint8Array(32);

function engineError(message: string): FastEvmError {
  return new FastEvmError(ErrorCode.CONSENSUS_ENGINE, message);
}

/**
 * Transactions in linearized order without repeats (the same transaction can reach several validators and
 * so several blocks of one sub-DAG). Equal bytes ⇔ equal hash, so the key is the bytes themselves (native
 * base64), which spares the main thread a keccak per transaction.
 */
export function dedupeTransactions(txs: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const t of txs) {
    const key = Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString("base64");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

/**
 * The block's coinbase under `rule`: the fee recipient of authority `leader` in the committee, or the fixed
 * address. A function of the commit and the chain config only, so every validator picks the same one.
 */
export function feeRecipientFor(
  rule: FeeRecipientRule | undefined,
  committee: Committee,
  leader: number,
): string {
  return rule === undefined || rule === "leader" ? committee.authority(leader).feeRecipient : rule;
}

export class EngineDriver {
  /** the last commit index whose effects are on the execution node */
  lastExecutedCommit = 0;
  readonly counters = {
    blocks: 0,
    emptyCommits: 0,
    replaysSkipped: 0,
    retries: 0,
    duplicateTxs: 0,
    /** commits whose block came by block sync (catch-up) */
    syncedCommits: 0,
    /** 1 once block sync handed the head over to the driver */
    handovers: 0,
    /** polls of a commit waiting for block sync to reach it */
    syncWaits: 0,
  };
  /** set when a commit was rejected deterministically: the driver executes nothing more */
  rejected: FastEvmError | undefined;
  #head: Head | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #sync: CatchUpSync | undefined;
  /** the highest commit index block sync was seen to have executed */
  #syncedThrough = 0;

  constructor(private readonly o: EngineDriverOptions) {}

  get head(): Head | undefined {
    return this.#head;
  }

  /**
   * Reads the execution head (retrying until the node answers) and the commit its stamp names: the value to
   * start ConsensusNode with (`lastExecutedCommit`), so stored commits after it are executed again.
   */
  async init(): Promise<number> {
    await this.#retry("reading the execution head", this.lastExecutedCommit, () => this.#readHead());
    return this.lastExecutedCommit;
  }

  /**
   * Block sync is moving the head (a validator catching up): commits its blocks cover are skipped, and the
   * first non-empty commit they do not cover stops it (see the module comment).
   */
  followBlockSync(sync: CatchUpSync): void {
    this.#sync = sync;
  }

  /** ConsensusNode's `onCommit`: resolves once the commit is executed (or known executed). */
  async execute(s: CommittedSubDag): Promise<void> {
    const index = s.commit.index;
    if (index <= this.lastExecutedCommit) {
      if (index <= this.#syncedThrough) this.counters.syncedCommits++;
      else this.counters.replaysSkipped++;
      return;
    }
    const all = subDagTransactions(s);
    const txs = dedupeTransactions(all);
    if (this.#sync !== undefined && (await this.#coveredBySync(index, txs.length > 0))) return;
    this.counters.duplicateTxs += all.length - txs.length;
    if (txs.length === 0) {
      this.counters.emptyCommits++;
      this.lastExecutedCommit = index;
      return;
    }
    await this.#retry(`executing commit ${index}`, index, async () => {
      // after a failure the re-read head may show this commit already executed (crash after newPayload)
      if (this.#head === undefined) await this.#readHead();
      if (index <= this.lastExecutedCommit) return;
      await this.#produce(s, txs);
    });
  }

  /**
   * Whether block sync executed commit `index`. A non-empty commit it has not reached yet is waited for
   * while sync is behind its peers and moving; then, or at once when it is not behind, the hand-over.
   */
  async #coveredBySync(index: number, nonEmpty: boolean): Promise<boolean> {
    const sync = this.#sync!;
    const reread = async () => {
      const before = this.lastExecutedCommit;
      await this.#retry("reading the execution head", index, () => this.#readHead());
      if (this.lastExecutedCommit > before) this.#syncedThrough = this.lastExecutedCommit;
    };
    let moved = Date.now();
    while (sync.running) {
      const before = this.lastExecutedCommit;
      await reread();
      if (this.lastExecutedCommit > before) moved = Date.now();
      if (index <= this.lastExecutedCommit) {
        this.counters.syncedCommits++;
        return true;
      }
      // an empty commit has no block either way: block sync may go on
      if (!nonEmpty) return false;
      // caught up with its peers, or stalled: this driver builds from here
      if (!sync.behind() || Date.now() - moved > (this.o.catchUpStallMs ?? CATCH_UP_STALL_MS)) break;
      this.counters.syncWaits++;
      await this.#sleep(CATCH_UP_POLL_MS);
      if (this.#stopped) throw engineError(`driver stopped while waiting for block sync at commit ${index}`);
    }
    await sync.stop();
    this.#sync = undefined;
    this.counters.handovers++;
    // what block sync imported while it stopped
    await reread();
    if (index > this.lastExecutedCommit) return false;
    this.counters.syncedCommits++;
    return true;
  }

  /** Waits `ms`, or less when `stop` is called. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      this.#wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }

  /** Stops retrying: a pending `execute` rejects (the process is shutting down). */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  async #readHead(): Promise<void> {
    const b = await this.o.engine.headBlock();
    if (b === null) throw engineError("the execution node has no head block");
    this.#head = { hash: bytesToHex(b.hash), number: b.number, timestamp: b.timestamp, gasLimit: b.gasLimit };
    const stamp = decodeCommitStamp(b.extraData);
    if (stamp !== undefined && stamp.index > this.lastExecutedCommit) this.lastExecutedCommit = stamp.index;
  }

  async #produce(s: CommittedSubDag, txs: readonly Uint8Array[]): Promise<void> {
    const parent = this.#head!;
    const engine = this.o.engine;
    const commitSeconds = BigInt(Math.floor(s.timestampMs / 1000));
    const floor = minChildTimestamp(this.o.timestampRule ?? DEFAULT_TIMESTAMP_RULE, parent.timestamp);
    const timestamp = commitSeconds > floor ? commitSeconds : floor;
    const attrs: PayloadAttributes = {
      version: 3,
      timestamp,
      prevRandao: s.commitRef.digest,
      suggestedFeeRecipient: hexToBytes(
        feeRecipientFor(this.o.feeRecipient, this.o.committee, s.leader.author),
        20,
      ),
      withdrawals: [],
      parentBeaconBlockRoot: ZERO32,
      transactions: txs,
      noTxPool: true,
      extraData: encodeCommitStamp({ index: s.commit.index, timestampMs: s.timestampMs }),
      ...(this.o.gasLimit === undefined ? {} : { gasLimit: this.o.gasLimit }),
    };
    // commits are final: the new head is also safe and finalized
    const state = (h: Uint8Array) => ({ head: h, safe: h, finalized: h });
    const parentHex = parent.hash;
    const fcu = await engine.forkchoiceUpdated(state(hexToBytes(parentHex, 32)), attrs);
    if (fcu.payloadStatus.status !== "VALID")
      throw payloadStatusError(`forkchoiceUpdated on ${parentHex}`, fcu.payloadStatus);
    if (fcu.payloadId === null)
      throw payloadStatusError(`forkchoiceUpdated on ${parentHex}`, { status: "VALID without a payloadId" });
    const { payload: p } = await engine.getPayload(fcu.payloadId);
    const hashHex = bytesToHex(p.blockHash);
    const st = await engine.newPayload(p, [], ZERO32);
    if (st.status !== "VALID") throw payloadStatusError(`newPayload ${hashHex}`, st);
    const moved = await engine.forkchoiceUpdated(state(p.blockHash));
    if (moved.payloadStatus.status !== "VALID")
      throw payloadStatusError(`forkchoiceUpdated to ${hashHex}`, moved.payloadStatus);
    this.#head = { hash: hashHex, number: p.blockNumber, timestamp: p.timestamp, gasLimit: p.gasLimit };
    this.lastExecutedCommit = s.commit.index;
    this.counters.blocks++;
    this.o.onBlock?.({
      commitIndex: s.commit.index,
      number: p.blockNumber,
      hash: hashHex,
      transactions: p.transactions.length,
    });
  }

  /**
   * Runs `step` until it succeeds, backing off exponentially on transient failures and re-reading the head
   * before each retry; a deterministic rejection (engineFailure.ts) is thrown as CONSENSUS_ENGINE_REJECTED.
   */
  async #retry(what: string, commitIndex: number, step: () => Promise<void>): Promise<void> {
    let delay = this.o.retryInitialMs ?? 100;
    for (;;) {
      if (this.rejected !== undefined) throw this.rejected;
      if (this.#stopped) throw engineError(`driver stopped while ${what}`);
      try {
        await step();
        return;
      } catch (e) {
        if (this.#stopped) throw engineError(`driver stopped while ${what}`);
        const failure = classifyEngineFailure(e);
        if (failure.kind === "rejected") {
          const err = engineRejected(commitIndex, what, failure, e);
          this.rejected = err;
          this.#stopped = true;
          this.o.onRejected?.(err);
          throw err;
        }
        this.counters.retries++;
        this.o.log?.(
          `engine driver: ${what} failed, transient (${failure.reason}: ${(e as Error).message}); retrying in ${delay} ms`,
        );
        await this.#sleep(delay);
        delay = Math.min(delay * 2, this.o.retryMaxMs ?? 5000);
        this.#head = undefined;
      }
    }
  }
}
