/**
 * The execution chain: imports blocks (header rules, sender recovery in the recover pool, execution and the
 * state trie in the execute pool) and commits each valid block — header, body, receipts, state diff, flat
 * state, trie nodes, canonical and tx indexes, head — in ONE LMDB transaction, so a crash never leaves a
 * half-written block. An invalid block throws its BLOCK_* reason and changes nothing.
 *
 * Fork choice: an imported valid block becomes the head (as geth's block importer and the BlockchainTests
 * expect); a block on a side branch triggers a reorg — the flat state is rewound with the stored state diffs
 * to the common ancestor and the branch re-applied, within `maxReorgDepth` blocks.
 *
 * Each job once: a block the payload builder executed is remembered (`rememberExecuted`, ExecutedBlocks) and
 * its import commits that result without recovering or executing again; a block stored without becoming the
 * head on the head's child (newPayload) is written without touching the flat state; and the tx hashes the
 * import computed are stored (table `tx_hashes`), so fork choice moves the tx index without hashing.
 *
 * The engine's path (`acceptBlock`, `forkchoice`: newPayload and forkchoiceUpdated) writes nothing to LMDB:
 * an accepted block waits in memory (`#pending`, with its execution result) and the canonical head moves in
 * memory; one background writer (`#writes`, FIFO) then persists each block and head move in order, one LMDB
 * transaction per block (a block and the head move onto it merged into one), each in its own macrotask, so
 * a block on disk is always whole. The persistence threshold is 0: the writer starts at once.
 * Executions (verify, build, the block builder through `executeForBuild`) read LMDB in the execute workers,
 * through one layered view: a child of an accepted, unpersisted block on top of LMDB's head runs at once on
 * the LIVE view — LMDB under the unpersisted blocks' write-sets, code and trie nodes (`overlayFromBlocks`),
 * which holds final values, so the writer goes on persisting those blocks meanwhile (execution of block N+1
 * overlaps the write of N; the writer stops at the execution's fence, the writes queued when it started);
 * any other execution runs under the FIFO state lock after every queued write, on the path from LMDB's head.
 * Reads of `store` (the public RPC, the txpool) see the persisted chain, which trails the canonical head by
 * the writes still queued (the public RPC calls `catchUp` first, which writes them unless an execution under
 * the lock is running). With more than `memoryBlockBuffer` writes queued, the engine's calls wait for them.
 * `persisted()` waits for every write (SIGTERM); after SIGKILL the node restarts at the last persisted
 * block and the consensus driver re-executes the commits after it (the commit stamp makes that idempotent).
 */
import { type Block, encodeBody } from "../core/block/block.ts";
import { type BlockHeader, encodeHeader, headerHash } from "../core/block/header.ts";
import type { Withdrawal } from "../core/block/withdrawal.ts";
import { setNewest } from "../core/boundedMap.ts";
import { concatBytes, equalBytes } from "../core/bytes.ts";
import { timestampRuleOf } from "../core/chain/blockRules.ts";
import type { ChainConfig } from "../core/chain/chainConfig.ts";
import { ErrorCode, FastEvmError, isFastEvmError, isValidationError } from "../core/errors.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex } from "../core/hex.ts";
import { SerialLock } from "../core/serialLock.ts";
import type {
  ExecTx,
  ExecutedBlock,
  ExecuteResult,
  ExecuteTask,
  StateOverlay,
} from "../core/wire/execute.ts";
import type { RecoverItem } from "../core/wire/recover.ts";
import type { ChainMetrics } from "../metrics/metrics.ts";
import { encodeTxLocation, metaKey, u64Key } from "../storage/keys.ts";
import type { Storage } from "../storage/storage.ts";
import { META_KEYS } from "../storage/tables.ts";
import { BlockBuilder } from "./blockBuilder.ts";
import { type BlockRef, blockPath, DEFAULT_MAX_REORG_DEPTH } from "./blockPath.ts";
import { ChainStore, type HeadInfo } from "./chainStore.ts";
import { ExecutedBlocks, type ExecutedEntry } from "./executedBlocks.ts";
import {
  applyStateDiff,
  composeOverlay,
  diffFromWrites,
  encodeStateDiff,
  overlayFromBlocks,
  type StateDiff,
} from "./stateDiff.ts";
import { type TimestampRule, validateHeader } from "./validateHeader.ts";

/** The thread pools the chain uses (the CLI wires RecoverPool and ExecutePool; node/chain imports no pool). */
export interface ChainWorkers {
  recover(txs: readonly Uint8Array[], chainId: bigint | null): Promise<RecoverItem[]>;
  execute(task: ExecuteTask): Promise<ExecuteResult>;
}

export interface ChainOptions {
  readonly config?: ChainConfig;
  readonly timestampRule?: TimestampRule;
  /** deepest reorg accepted, in blocks (default DEFAULT_MAX_REORG_DEPTH, 64) */
  readonly maxReorgDepth?: number;
  /** the process's chain metrics; absent: nothing is measured */
  readonly metrics?: ChainMetrics;
  /** called after each block is imported (executed and stored), e.g. to log it; must not throw */
  readonly onImported?: (r: ImportResult) => void;
  /**
   * called once when a background write fails (the chain then refuses the engine's calls with STORAGE): the
   * node stops; must not throw
   */
  readonly onWriteError?: (e: FastEvmError<string>) => void;
  /** executed-but-not-stored blocks kept for their import (default EXECUTED_BLOCKS_CAPACITY; 0: none) */
  readonly executedBlocks?: number;
  /**
   * `--engine.memory-block-buffer`: with more background writes than this queued, `acceptBlock` and
   * `forkchoice` wait for the writer (default DEFAULT_MEMORY_BLOCK_BUFFER)
   */
  readonly memoryBlockBuffer?: number;
}

/**
 * Writes queued before the engine's calls wait (reth's `--engine.memory-block-buffer-target` default is 0 on
 * top of a persistence threshold of 2; here the writer starts at once, so this only bounds a writer that
 * falls behind: 16 blocks of 1,000 transfers are a few tens of MB).
 */
export const DEFAULT_MEMORY_BLOCK_BUFFER = 16;

/**
 * Blocks whose sender recovery `recoverAhead` may have running at once. An importer in order needs one
 * (block N+1 recovers while N executes); the rest absorb a caller that runs a little further ahead. Past
 * it the oldest is dropped (its import recovers again).
 */
export const RECOVER_AHEAD_BLOCKS = 4;

/** Whether two lists hold the same raw transactions, in order. */
function sameTransactions(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i] || equalBytes(t, b[i]!));
}

/** A block's recovered transactions: what execution needs, and the hashes stored with it. */
interface Recovered {
  readonly txs: ExecTx[];
  readonly hashes: Uint8Array[];
}

/** A background write: store an accepted block, or move the persisted head (with its marks). */
type WriteOp = { readonly seq: number } & (
  | { readonly kind: "store"; readonly hash: Uint8Array; readonly key: string }
  | { readonly kind: "head"; readonly hash: Uint8Array; readonly marks: HeadMarks }
);

export interface HeadMarks {
  readonly safe?: Uint8Array;
  readonly finalized?: Uint8Array;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An accepted block not yet persisted: what its write needs. */
interface PendingBlock {
  readonly hash: Uint8Array;
  readonly block: Block;
  readonly entry: ExecutedEntry;
}

/** The state a worker executes a child of `parent` against: the overlay from LMDB's flat state to it. */
export interface ParentView {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
  readonly overlay: StateOverlay;
  /** ancestors off LMDB's canonical index (BLOCKHASH), number → hash */
  readonly ancestorHashes: readonly (readonly [bigint, Uint8Array])[];
}

/**
 * What the chain did, counted since it was opened (the `fastevm_chain_*` metrics mirror these): tests read
 * them to show each job is done once.
 */
export interface ChainWork {
  /** blocks executed to verify them (importBlock of a block not executed here) */
  verifyExecutions: number;
  /** blocks executed to build them (the block builder: buildBlock and the payload builder) */
  buildExecutions: number;
  /** transactions sent to the recover seam by importBlock (a build's recovery is not an import's) */
  senderLookups: number;
  /** of the imports' recoveries, those `recoverAhead` had started before the import asked */
  recoveredAhead: number;
  /** imports that committed a remembered result (no recovery, no execution) */
  executedHits: number;
  /** blocks whose raw transactions fork choice had to hash (no stored tx hashes: older datadirs) */
  txHashFallbacks: number;
  /** LMDB write transactions of the chain (blocks, head moves); the engine's calls make none themselves */
  writeTxns: number;
  /** of those, written by the background writer */
  backgroundWrites: number;
  /** executions run on the live view of unpersisted blocks, overlapping their persistence */
  liveExecutions: number;
}

export interface ImportResult {
  readonly status: "imported" | "known";
  readonly hash: Uint8Array;
  readonly number: bigint;
  readonly gasUsed: bigint;
  readonly txCount: number;
  /** blocks rewound to import it (0 when it extends the head) */
  readonly reorgDepth: number;
  /** where the time went (ms): recover pool, execute pool round trip (of which EVM and trie), the commit */
  readonly timings?: {
    readonly recoverMs: number;
    readonly executeMs: number;
    readonly evmMs: number;
    readonly trieMs: number;
    readonly commitMs: number;
  };
}

/** Wall time of a whole import (recover, execute round trip, persist), ms. */
export function importMs(t: NonNullable<ImportResult["timings"]>): number {
  return t.recoverMs + t.executeMs + t.commitMs;
}

export interface BuildOptions {
  readonly timestamp?: bigint;
  readonly coinbase?: Uint8Array;
  readonly gasLimit?: bigint;
  readonly prevRandao?: Uint8Array;
  readonly withdrawals?: readonly Withdrawal[];
  readonly parentBeaconBlockRoot?: Uint8Array;
  readonly extraData?: Uint8Array;
  /** build on this stored block instead of the head (side branches in tests) */
  readonly parentHash?: Uint8Array;
}

/**
 * A move of the canonical head (import with makeHead, or setHead): the blocks that left the canonical chain
 * and those that joined it. Listeners run synchronously after the LMDB transaction; they must be cheap
 * (queue work, never throw — a throwing listener is ignored).
 */
export interface HeadChange {
  readonly head: HeadInfo;
  /** blocks that left the canonical chain, newest first (empty unless a reorg) */
  readonly removed: readonly HeadInfo[];
  /** blocks that joined it, oldest first, ending with the head (empty when the head moved back to an ancestor) */
  readonly added: readonly HeadInfo[];
}

export type HeadListener = (change: HeadChange) => void;

interface Path {
  readonly rewind: { hash: Uint8Array; header: BlockHeader; diff: StateDiff }[];
  readonly reapply: { hash: Uint8Array; header: BlockHeader; diff: StateDiff }[];
}

function blockError(code: ErrorCode, message: string): FastEvmError {
  return new FastEvmError(code, `invalid block: ${message}`);
}

export class Chain {
  readonly store: ChainStore;
  readonly config: ChainConfig;
  readonly #timestampRule: TimestampRule;
  readonly #maxReorgDepth: number;
  readonly #headListeners = new Set<HeadListener>();
  readonly #metrics: ChainMetrics | undefined;
  readonly #onImported: ((r: ImportResult) => void) | undefined;
  readonly #onWriteError: ((e: FastEvmError<string>) => void) | undefined;
  /** blocks executed here and not stored yet, by hash (bounded, oldest dropped) */
  readonly executed: ExecutedBlocks;
  readonly work: ChainWork = {
    verifyExecutions: 0,
    buildExecutions: 0,
    senderLookups: 0,
    recoveredAhead: 0,
    executedHits: 0,
    txHashFallbacks: 0,
    writeTxns: 0,
    backgroundWrites: 0,
    liveExecutions: 0,
  };
  /** accepted blocks the writer has not stored yet, by hex hash */
  readonly #pending = new Map<string, PendingBlock>();
  /** sender recoveries started by `recoverAhead`, by hex hash (at most RECOVER_AHEAD_BLOCKS) */
  readonly #ahead = new Map<
    string,
    { readonly txs: readonly Uint8Array[]; readonly recovered: Promise<Recovered> }
  >();
  /** the canonical head (LMDB's head trails it by the queued head moves) and its marks */
  #canonical: HeadInfo;
  #safe: Uint8Array | undefined;
  #finalized: Uint8Array | undefined;
  /** the background writer's FIFO (bounded by `memoryBlockBuffer` through backpressure) */
  readonly #writes: WriteOp[] = [];
  readonly #memoryBlockBuffer: number;
  #writeScheduled = false;
  /** a failed background write: the chain refuses further engine work (the node must restart) */
  #writerError: FastEvmError<string> | undefined;
  /** executions and background writes, in FIFO order */
  readonly #stateLock = new SerialLock();
  /** executions running under the state lock (their workers read LMDB: nothing may be written meanwhile) */
  #executions = 0;
  /** sequence number of the last queued write */
  #writeSeq = 0;
  /**
   * per live execution, the last write queued when it started: the writer persists up to the oldest fence
   * while any runs (those writes were checked to leave its view's state unchanged), then waits
   */
  readonly #liveFences: number[] = [];
  readonly #liveWaiters: (() => void)[] = [];

  constructor(
    readonly storage: Storage,
    private readonly workers: ChainWorkers,
    opts: ChainOptions = {},
  ) {
    this.store = new ChainStore(storage);
    this.config = opts.config ?? this.store.chainConfig();
    this.#timestampRule = timestampRuleOf(this.config, opts.timestampRule);
    this.#maxReorgDepth = opts.maxReorgDepth ?? DEFAULT_MAX_REORG_DEPTH;
    this.#metrics = opts.metrics;
    this.#onImported = opts.onImported;
    this.#onWriteError = opts.onWriteError;
    this.executed = new ExecutedBlocks(opts.executedBlocks);
    this.#memoryBlockBuffer = opts.memoryBlockBuffer ?? DEFAULT_MEMORY_BLOCK_BUFFER;
    this.#canonical = this.store.head();
    this.#safe = this.store.meta(META_KEYS.safeHash);
    this.#finalized = this.store.meta(META_KEYS.finalizedHash);
    this.#metrics?.headNumber.set(Number(this.#canonical.header.number));
  }

  /** The canonical head: the last `forkchoice` (or import) target; LMDB's head (`store.head()`) may trail it. */
  head(): HeadInfo {
    return this.#canonical;
  }

  /** The canonical safe and finalized marks (as forkchoice last set them). */
  marks(): { readonly safe: Uint8Array | undefined; readonly finalized: Uint8Array | undefined } {
    return { safe: this.#safe, finalized: this.#finalized };
  }

  /** A header accepted or stored. */
  header(hash: Uint8Array): BlockHeader | undefined {
    return this.#pending.get(bytesToHex(hash))?.block.header ?? this.store.header(hash);
  }

  /** Whether a block is accepted (in memory) or stored. */
  hasBlock(hash: Uint8Array): boolean {
    return this.#pending.has(bytesToHex(hash)) || this.store.hasBlock(hash);
  }

  /** A block accepted or stored. */
  block(hash: Uint8Array): Block | undefined {
    return this.#pending.get(bytesToHex(hash))?.block ?? this.store.block(hash);
  }

  /** Background writes queued (blocks and head moves not yet in LMDB). */
  get unpersisted(): number {
    return this.#writes.length;
  }

  /**
   * Calls `listener` after every committed move of the canonical head (txpool, subscriptions); returns
   * the unsubscribe function. A listener that throws does not undo the move, and the others still run.
   */
  onHeadChange(listener: HeadListener): () => void {
    this.#headListeners.add(listener);
    return () => this.#headListeners.delete(listener);
  }

  /** `head`: the new head; `imported`: a block just imported on top of `path` (it joins too). */
  #emitHead(path: Path, head: HeadInfo, imported = false): void {
    const m = this.#metrics;
    if (m !== undefined) {
      m.headNumber.set(Number(head.header.number));
      if (path.rewind.length > 0) {
        m.reorgs.inc();
        m.reorgedBlocks.inc(path.rewind.length);
      }
    }
    if (this.#headListeners.size === 0) return;
    const added: HeadInfo[] = path.reapply.map((b) => ({ hash: b.hash, header: b.header }));
    if (imported) added.push(head);
    if (added.length === 0 && path.rewind.length === 0) return;
    const change: HeadChange = {
      head,
      removed: path.rewind.map((b) => ({ hash: b.hash, header: b.header })),
      added,
    };
    for (const l of this.#headListeners) {
      try {
        l(change);
      } catch {
        // a listener's failure is its own: the head has moved
      }
    }
  }

  /**
   * The rewind/re-apply path from the head (or `from`) to `parentHash` (both empty when the parent is the
   * head), found by the one path finder (`blockPath.ts`) within `maxReorgDepth`, with each block's state diff.
   */
  #pathTo(
    parentHash: Uint8Array,
    parent: BlockHeader,
    from: { hash: Uint8Array; header: BlockHeader } = this.store.head(),
  ): Path {
    const found = blockPath(
      this.store,
      from,
      { hash: parentHash, header: parent },
      {
        maxRewind: this.#maxReorgDepth,
      },
    );
    const load = (b: BlockRef) => {
      const diff = this.store.stateDiff(b.hash);
      if (diff === undefined)
        throw new FastEvmError(ErrorCode.STORAGE, `block ${bytesToHex(b.hash)} has no state diff`);
      return { hash: b.hash, header: b.header, diff };
    };
    return { rewind: found.rewind.map(load), reapply: found.reapply.map(load) };
  }

  /**
   * Starts recovering `block`'s senders now, in the recover pool and outside the import lock (recovery
   * reads no state), so that its later import — `importBlock` or `acceptBlock` — finds them ready: an
   * importer in order calls it for block N+1 before it awaits block N, and N+1's recovery runs on one core
   * while N executes on the other. A block already stored, accepted, remembered or started is left alone.
   * Holds at most RECOVER_AHEAD_BLOCKS recoveries; the oldest is dropped beyond that. An invalid
   * transaction is reported by the import, as without it.
   */
  recoverAhead(block: Block): void {
    this.recoverAheadOf(headerHash(block.header), block.transactions);
  }

  /**
   * `recoverAhead` for a block known so far only by the hash it claims and its raw transactions:
   * engine_newPayload starts it before the payload pool has decoded the payload and checked that hash, so
   * the recovery runs on one core while the check runs on the other. Only an import of a block with this
   * hash and these very transactions takes it; a payload whose check fails leaves it to be dropped.
   */
  recoverAheadOf(hash: Uint8Array, txs: readonly Uint8Array[]): void {
    if (txs.length === 0) return;
    const key = bytesToHex(hash);
    const started = this.#ahead.get(key);
    // one started for other transactions under this hash (a payload that failed its check) is replaced
    if (started !== undefined && sameTransactions(started.txs, txs)) return;
    if (this.executed.get(hash) !== undefined || this.hasBlock(hash)) return;
    const recovered = this.#recoverNow(txs);
    recovered.catch(() => {}); // the import that takes it sees the failure; a dropped one is not waited for
    setNewest(this.#ahead, key, { txs, recovered }, RECOVER_AHEAD_BLOCKS);
  }

  /**
   * `block`'s recovered transactions: the ones `recoverAhead` started for these same transactions (a body
   * that does not match its header must not lend its recovery to the one that does), else recovered now.
   */
  #recover(block: Block, hash: Uint8Array): Promise<Recovered> {
    const key = bytesToHex(hash);
    const ahead = this.#ahead.get(key);
    const txs = block.transactions;
    if (ahead === undefined) return this.#recoverNow(txs);
    this.#ahead.delete(key);
    if (!sameTransactions(ahead.txs, txs)) return this.#recoverNow(txs);
    this.work.recoveredAhead++;
    return ahead.recovered;
  }

  async #recoverNow(raw: readonly Uint8Array[]): Promise<Recovered> {
    this.work.senderLookups += raw.length;
    this.#metrics?.senderLookups.inc(raw.length);
    const items = await this.workers.recover(raw, this.config.chainId);
    const txs: ExecTx[] = [];
    const hashes: Uint8Array[] = [];
    items.forEach((item, i) => {
      if (!item.ok)
        throw new FastEvmError(
          ErrorCode.BLOCK_INVALID_TX,
          `invalid block: transaction ${i}: ${item.error.message}`,
          {
            index: i,
            cause: item.error.code,
          },
        );
      txs.push({ tx: item.tx, sender: item.sender, intrinsicGas: item.intrinsicGas });
      hashes.push(item.hash);
    });
    return { txs, hashes };
  }

  /** The worker view of the end of `path` (from LMDB's head), from the stored diffs. */
  #pathView(hash: Uint8Array, header: BlockHeader, path: Path): ParentView {
    return {
      hash,
      header,
      overlay: composeOverlay(
        path.rewind.map((b) => b.diff),
        path.reapply.map((b) => b.diff),
      ),
      ancestorHashes: path.reapply.map((b) => [b.header.number, b.hash] as const),
    };
  }

  /**
   * The view of `parentHash` when it is an accepted, unpersisted block on top of LMDB's head — from the
   * write-sets of the unpersisted blocks between them — and every queued head move is onto one of those
   * blocks (the writer only persists them, in order, which leaves the view's state unchanged); else
   * undefined (the execution must wait for the writer). Counted in `work.liveExecutions`.
   */
  #liveView(parentHash: Uint8Array): ParentView | undefined {
    const line: PendingBlock[] = [];
    let h = parentHash;
    for (let p = this.#pending.get(bytesToHex(h)); p !== undefined; p = this.#pending.get(bytesToHex(h))) {
      line.push(p);
      h = p.block.header.parentHash;
    }
    if (line.length === 0 || !equalBytes(h, this.store.head().hash)) return undefined;
    const onLine = new Set(line.map((p) => bytesToHex(p.hash)));
    for (const op of this.#writes)
      if (op.kind === "head" && !onLine.has(bytesToHex(op.hash))) return undefined;
    line.reverse();
    return {
      hash: parentHash,
      header: line[line.length - 1]!.block.header,
      overlay: overlayFromBlocks(line.map((p) => p.entry.result)),
      ancestorHashes: line.map((p) => [p.block.header.number, p.hash] as const),
    };
  }

  /**
   * Runs `fn` — an execution on `parentHash`'s state — either at once on the live view of unpersisted
   * blocks (the writer goes on persisting them meanwhile: execution and persistence overlap), or under the
   * state lock after every queued write. NOT_FOUND for a parent neither accepted nor stored.
   */
  #onParent<T>(parentHash: Uint8Array, fn: (view: ParentView) => Promise<T>): Promise<T> {
    const live = this.#liveView(parentHash);
    if (live !== undefined) {
      this.work.liveExecutions++;
      const fence = this.#writeSeq;
      this.#liveFences.push(fence);
      const done = () => {
        this.#liveFences.splice(this.#liveFences.indexOf(fence), 1);
        if (this.#liveFences.length === 0) {
          for (const w of this.#liveWaiters.splice(0)) w();
        }
        this.#scheduleWrite();
      };
      return fn(live).finally(done);
    }
    return this.#exclusive(async () => {
      const header = this.store.header(parentHash);
      if (header === undefined)
        throw new FastEvmError(ErrorCode.NOT_FOUND, `unknown parent ${bytesToHex(parentHash)}`);
      return fn(this.#pathView(parentHash, header, this.#pathTo(parentHash, header)));
    });
  }

  async #execute(
    block: Block,
    parent: BlockHeader,
    view: Pick<ParentView, "overlay" | "ancestorHashes">,
    txs: ExecTx[],
    mode: "verify" | "build",
  ): Promise<ExecutedBlock> {
    this.#countExecution(mode);
    const result = await this.workers.execute({
      datadir: this.storage.datadir,
      chainId: this.config.chainId,
      header: block.header,
      parentStateRoot: parent.stateRoot,
      txs,
      rawTxs: block.transactions,
      ommerCount: block.ommers.length,
      ...(block.withdrawals === undefined ? {} : { withdrawals: block.withdrawals }),
      overlay: view.overlay,
      ancestorHashes: view.ancestorHashes,
      mode,
    });
    if (!result.ok) throw FastEvmError.fromObject(result.error);
    return result;
  }

  #countExecution(mode: "verify" | "build"): void {
    if (mode === "verify") this.work.verifyExecutions++;
    else this.work.buildExecutions++;
    this.#metrics?.blockExecutions.inc({ mode });
  }

  /**
   * Remembers a block the block builder executed (its `executeForBuild` counted the build execution) with
   * its transaction hashes, so that its import commits `result` instead of recovering and executing again.
   * `result` must be the execution of exactly `block` on its parent.
   */
  rememberExecuted(block: Block, result: ExecutedBlock, txHashes: readonly Uint8Array[]): void {
    this.executed.add(headerHash(block.header), { result, txHashes });
  }

  /**
   * Validates, executes and stores `block`; a block already stored is a no-op ("known"). By default it
   * becomes the head; with `makeHead: false` (Engine API newPayload) it is stored with its receipts and state
   * diff but the head, flat state and indexes stay where they were, for a later `setHead`.
   */
  importBlock(block: Block, opts: { readonly makeHead?: boolean } = {}): Promise<ImportResult> {
    return this.#exclusive(() => this.#importNow(block, opts.makeHead ?? true));
  }

  async #importNow(block: Block, makeHead: boolean): Promise<ImportResult> {
    const header = block.header;
    const hash = headerHash(header);
    const base = { hash, number: header.number, txCount: block.transactions.length };
    if (this.store.hasBlock(hash))
      return { ...base, status: "known", gasUsed: header.gasUsed, reorgDepth: 0 };
    const parent = this.store.header(header.parentHash);
    if (parent === undefined)
      throw blockError(ErrorCode.BLOCK_UNKNOWN_PARENT, `unknown parent ${bytesToHex(header.parentHash)}`);
    validateHeader(header, parent, header.parentHash, {
      config: this.config,
      timestampRule: this.#timestampRule,
    });
    const path = this.#pathTo(header.parentHash, parent);
    const t0 = performance.now();
    // Executed here already (same hash: same header, transactions and withdrawals on the same parent).
    const known = this.executed.get(hash);
    let result: ExecutedBlock;
    let hashes: readonly Uint8Array[];
    let t1 = t0;
    if (known !== undefined) {
      result = known.result;
      hashes = known.txHashes;
      this.work.executedHits++;
      this.#metrics?.executedBlockHits.inc();
    } else {
      try {
        const recovered = await this.#recover(block, hash);
        hashes = recovered.hashes;
        t1 = performance.now();
        result = await this.#execute(
          block,
          parent,
          this.#pathView(header.parentHash, parent, path),
          recovered.txs,
          "verify",
        );
      } catch (e) {
        if (isValidationError(e)) this.#metrics?.invalidBlocks.inc();
        throw e;
      }
    }
    const t2 = performance.now();
    this.#commit(block, hash, hashes, result, path, makeHead);
    if (makeHead) this.#setCanonical({ hash, header }, {});
    this.executed.delete(hash);
    const timings = {
      recoverMs: t1 - t0,
      executeMs: t2 - t1,
      // a remembered result's worker times were spent by the builder, not by this import
      evmMs: known === undefined ? result.execMs : 0,
      trieMs: known === undefined ? result.trieMs : 0,
      commitMs: performance.now() - t2,
    };
    const imported: ImportResult = {
      ...base,
      status: "imported",
      gasUsed: result.gasUsed,
      reorgDepth: path.rewind.length,
      timings,
    };
    this.#observeImport(imported, timings);
    this.#onImported?.(imported);
    return imported;
  }

  /**
   * newPayload: validates and (unless this node built it) executes `block` on its parent, then keeps it in
   * memory and queues its write; LMDB is written later by the background writer. A block already accepted
   * or stored is "known". Throws the BLOCK_* reason of an invalid block, which is never kept.
   */
  async acceptBlock(block: Block): Promise<ImportResult> {
    this.#checkWriter();
    const header = block.header;
    const hash = headerHash(header);
    const key = bytesToHex(hash);
    const base = { hash, number: header.number, txCount: block.transactions.length };
    const known: ImportResult = { ...base, status: "known", gasUsed: header.gasUsed, reorgDepth: 0 };
    if (this.hasBlock(hash)) return known;
    const parent = this.header(header.parentHash);
    if (parent === undefined)
      throw blockError(ErrorCode.BLOCK_UNKNOWN_PARENT, `unknown parent ${bytesToHex(header.parentHash)}`);
    validateHeader(header, parent, header.parentHash, {
      config: this.config,
      timestampRule: this.#timestampRule,
    });
    const t0 = performance.now();
    let entry = this.executed.get(hash);
    let recoverMs = 0;
    const hit = entry !== undefined;
    if (entry !== undefined) {
      this.executed.delete(hash);
      this.work.executedHits++;
      this.#metrics?.executedBlockHits.inc();
    } else {
      entry = await this.#onParent(header.parentHash, async (view) => {
        if (this.hasBlock(hash)) return undefined;
        try {
          const recovered = await this.#recover(block, hash);
          recoverMs = performance.now() - t0;
          const result = await this.#execute(block, parent, view, recovered.txs, "verify");
          return { result, txHashes: recovered.hashes };
        } catch (e) {
          if (isValidationError(e)) this.#metrics?.invalidBlocks.inc();
          throw e;
        }
      });
      if (entry === undefined) return known;
    }
    this.#pending.set(key, { hash, block, entry });
    this.#enqueue({ kind: "store", hash, key });
    const ran = !hit;
    const timings = {
      recoverMs,
      executeMs: performance.now() - t0 - recoverMs,
      evmMs: ran ? entry.result.execMs : 0,
      trieMs: ran ? entry.result.trieMs : 0,
      commitMs: 0,
    };
    const imported: ImportResult = {
      ...base,
      status: "imported",
      gasUsed: entry.result.gasUsed,
      reorgDepth: 0,
      timings,
    };
    this.#observeImport(imported, timings, false);
    this.#onImported?.(imported);
    await this.#backpressure();
    return imported;
  }

  /**
   * forkchoiceUpdated: makes an accepted or stored, executed block the canonical head (and sets the marks),
   * in memory, and queues the head move for the background writer; LMDB is not written here. Returns the
   * number of canonical blocks rewound; BLOCK_REORG_TOO_DEEP past `maxReorgDepth`.
   */
  async forkchoice(hash: Uint8Array, marks: HeadMarks = {}): Promise<number> {
    this.#checkWriter();
    const header = this.header(hash);
    if (header === undefined || !this.#executedBlock(hash))
      throw new FastEvmError(
        ErrorCode.NOT_FOUND,
        `block ${bytesToHex(hash)} is not stored (or never executed)`,
      );
    const path = blockPath(this, this.#canonical, { hash, header }, { maxRewind: this.#maxReorgDepth });
    this.#setCanonical({ hash, header }, marks);
    this.#enqueue({ kind: "head", hash, marks });
    await this.#backpressure();
    return path.rewind.length;
  }

  /**
   * Writes every queued write now, unless an execution is running (its worker reads LMDB under the state
   * lock) or the writer failed: readers of `store` (the public RPC) call it first, so that they follow the
   * canonical head. Never throws.
   */
  catchUp(): void {
    if (this.#executions > 0) return;
    try {
      while (this.#mayWrite()) this.#writeNext();
    } catch {
      // kept in #writerError: the next engine call reports it
    }
  }

  /** Waits until every queued write is in LMDB (SIGTERM; readers of `store` after the engine's calls). */
  async persisted(): Promise<void> {
    await this.#exclusive(async () => {});
  }

  /** `fn` — work whose workers read LMDB — under the state lock, after every queued write. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#stateLock.run(async () => {
      while (this.#liveFences.length > 0)
        await new Promise<void>((resolve) => this.#liveWaiters.push(resolve));
      this.#drainWrites();
      this.#executions++;
      try {
        return await fn();
      } finally {
        this.#executions--;
      }
    });
  }

  #setCanonical(head: HeadInfo, marks: HeadMarks): void {
    this.#canonical = head;
    if (marks.safe !== undefined) this.#safe = marks.safe;
    if (marks.finalized !== undefined) this.#finalized = marks.finalized;
  }

  /** Accepted (so executed), or stored with a state diff, or the genesis. */
  #executedBlock(hash: Uint8Array): boolean {
    if (this.#pending.has(bytesToHex(hash))) return true;
    const genesis = this.store.meta(META_KEYS.genesisHash);
    return (
      this.storage.tables.stateDiffs.doesExist(hash) || (genesis !== undefined && equalBytes(genesis, hash))
    );
  }

  #checkWriter(): void {
    const e = this.#writerError;
    if (e !== undefined)
      throw new FastEvmError(ErrorCode.STORAGE, `the chain stopped after a failed write: ${e.message}`, {
        cause: e.code,
      });
  }

  async #backpressure(): Promise<void> {
    if (this.#writes.length > this.#memoryBlockBuffer) await this.persisted();
  }

  #enqueue(op: DistributiveOmit<WriteOp, "seq">): void {
    this.#writes.push({ ...op, seq: ++this.#writeSeq } as WriteOp);
    this.#metrics?.unpersistedWrites.set(this.#writes.length);
    this.#scheduleWrite();
  }

  /** One write per macrotask, behind the executions already waiting for the state lock. */
  #scheduleWrite(): void {
    if (this.#writeScheduled || this.#writes.length === 0) return;
    this.#writeScheduled = true;
    setImmediate(() => {
      this.#writeScheduled = false;
      void this.#stateLock.run(() => {
        if (!this.#mayWrite()) return; // a live execution's end schedules the rest
        try {
          this.#writeNext();
        } catch {
          return; // kept in #writerError: the next engine call reports it
        }
        this.#scheduleWrite();
      });
    });
  }

  /** Every queued write, now (inside the state lock, or from a synchronous caller such as `setHead`). */
  #drainWrites(): void {
    while (this.#writes.length > 0) this.#writeNext();
  }

  /** Whether the oldest queued write may run now: not past the fence of a live execution. */
  #mayWrite(): boolean {
    const op = this.#writes[0];
    if (op === undefined || this.#writerError !== undefined) return false;
    return op.seq <= this.#fence();
  }

  /** The last write the writer may run now: the oldest live execution's fence, else every queued one. */
  #fence(): number {
    return this.#liveFences.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...this.#liveFences);
  }

  /** The oldest queued write; a block followed by the head move onto it is one LMDB transaction. */
  #writeNext(): void {
    this.#checkWriter();
    const op = this.#writes[0]!;
    const t0 = performance.now();
    try {
      if (op.kind === "store") {
        const p = this.#pending.get(op.key);
        if (p === undefined)
          throw new FastEvmError(ErrorCode.INTERNAL, `no accepted block ${op.key} to write`);
        const next = this.#writes[1];
        const merge = next?.kind === "head" && next.seq <= this.#fence() && equalBytes(next.hash, op.hash);
        const header = p.block.header;
        const parent = this.store.header(header.parentHash);
        if (parent === undefined)
          throw new FastEvmError(ErrorCode.STORAGE, `parent of ${op.key} is not stored`);
        const path = this.#pathTo(header.parentHash, parent);
        this.#commit(p.block, p.hash, p.entry.txHashes, p.entry.result, path, merge, merge ? next.marks : {});
        this.#pending.delete(op.key);
        this.#writes.splice(0, merge ? 2 : 1);
      } else {
        this.#setHeadNow(op.hash, op.marks);
        this.#writes.shift();
      }
    } catch (e) {
      this.#writerError = isFastEvmError(e)
        ? e
        : new FastEvmError(
            ErrorCode.STORAGE,
            `background write failed: ${(e as Error).message}`,
            {},
            { cause: e },
          );
      try {
        this.#onWriteError?.(this.#writerError);
      } catch {
        // the listener's failure is its own
      }
      throw this.#writerError;
    }
    this.work.backgroundWrites++;
    this.#metrics?.unpersistedWrites.set(this.#writes.length);
    this.#metrics?.stageTime.observe({ stage: "persist" }, (performance.now() - t0) / 1000);
  }

  /** `persisted`: the import wrote the block (an accepted block's write is observed by the writer) */
  #observeImport(r: ImportResult, t: NonNullable<ImportResult["timings"]>, persisted = true): void {
    const m = this.#metrics;
    if (m === undefined) return;
    m.blocksImported.inc();
    m.gasImported.inc(Number(r.gasUsed));
    m.txsImported.inc(r.txCount);
    m.importTime.observe(importMs(t) / 1000);
    m.stageTime.observe({ stage: "recover" }, t.recoverMs / 1000);
    m.stageTime.observe({ stage: "execute" }, t.executeMs / 1000);
    m.stageTime.observe({ stage: "evm" }, t.evmMs / 1000);
    m.stageTime.observe({ stage: "state_root" }, t.trieMs / 1000);
    if (persisted) m.stageTime.observe({ stage: "persist" }, t.commitMs / 1000);
  }

  /**
   * Makes a stored block the head (fork choice, e.g. the Engine API's forkchoiceUpdated): rewinds the flat
   * state to the common ancestor and re-applies the target's branch from the stored diffs, moving the
   * canonical and tx indexes with it — one transaction, no re-execution; `safe` / `finalized` marks are
   * written in the same transaction. Returns the number of blocks rewound.
   */
  setHead(hash: Uint8Array, marks: HeadMarks = {}): number {
    this.#drainWrites();
    const rewound = this.#setHeadNow(hash, marks);
    this.#setCanonical(this.store.head(), marks);
    return rewound;
  }

  #setHeadNow(hash: Uint8Array, marks: HeadMarks): number {
    const header = this.store.header(hash);
    if (header === undefined || !this.#executedBlock(hash)) {
      throw new FastEvmError(
        ErrorCode.NOT_FOUND,
        `block ${bytesToHex(hash)} is not stored (or never executed)`,
      );
    }
    const path = this.#pathTo(hash, header);
    this.work.writeTxns++;
    this.storage.env.transactionSync(() => {
      this.#moveTo(path);
      const meta = this.storage.tables.meta;
      meta.putSync(metaKey(META_KEYS.headHash), hash);
      if (marks.safe !== undefined) meta.putSync(metaKey(META_KEYS.safeHash), marks.safe);
      if (marks.finalized !== undefined) meta.putSync(metaKey(META_KEYS.finalizedHash), marks.finalized);
    });
    this.#emitHead(path, { hash, header });
    return path.rewind.length;
  }

  /** A stored block's transaction hashes: as its import stored them, else (older datadirs) hashed here. */
  #txHashesOf(hash: Uint8Array): readonly Uint8Array[] {
    const stored = this.store.txHashes(hash);
    if (stored !== undefined) return stored;
    this.work.txHashFallbacks++;
    return (this.store.body(hash)?.transactions ?? []).map((raw) => keccak256(raw));
  }

  /** Rewinds and re-applies `path` (inside the caller's write transaction). */
  #moveTo(path: Path): void {
    const t = this.storage.tables;
    for (const b of path.rewind) {
      applyStateDiff(this.storage, b.diff, "backward");
      t.canonical.removeSync(u64Key(b.header.number));
      for (const h of this.#txHashesOf(b.hash)) t.txIndex.removeSync(h);
    }
    for (const b of path.reapply) {
      applyStateDiff(this.storage, b.diff, "forward");
      t.canonical.putSync(u64Key(b.header.number), b.hash);
      this.#txHashesOf(b.hash).forEach((h, index) => {
        t.txIndex.putSync(h, encodeTxLocation({ blockHash: b.hash, index }));
      });
    }
  }

  /**
   * The one write transaction of a block (with its reorg, if any). Stored without becoming the head on the
   * head's child (newPayload's common case), the flat state already is the parent's, so the diff is taken
   * against it and nothing of the head moves; on another parent the flat state is moved to the parent, the
   * block applied, and everything moved back, inside the same transaction.
   */
  #commit(
    block: Block,
    hash: Uint8Array,
    txHashes: readonly Uint8Array[],
    result: ExecutedBlock,
    path: Path,
    makeHead: boolean,
    marks: HeadMarks = {},
  ): void {
    const t = this.storage.tables;
    this.work.writeTxns++;
    const oldHead = this.store.head();
    const onHead = path.rewind.length === 0 && path.reapply.length === 0;
    const storeBlock = (diff: StateDiff) => {
      t.stateDiffs.putSync(hash, encodeStateDiff(diff));
      for (const [k, v] of result.trieNodes) t.trieNodes.putSync(k, v);
      t.headers.putSync(hash, encodeHeader(block.header));
      t.bodies.putSync(hash, encodeBody(block));
      t.receipts.putSync(hash, result.receiptsRlp);
      t.txHashes.putSync(hash, concatBytes(...txHashes));
    };
    if (!makeHead && onHead) {
      this.storage.env.transactionSync(() => storeBlock(diffFromWrites(this.storage, result.writes)));
      return;
    }
    this.storage.env.transactionSync(() => {
      this.#moveTo(path);
      const diff = diffFromWrites(this.storage, result.writes);
      applyStateDiff(this.storage, diff, "forward");
      storeBlock(diff);
      t.canonical.putSync(u64Key(block.header.number), hash);
      txHashes.forEach((h, index) => {
        t.txIndex.putSync(h, encodeTxLocation({ blockHash: hash, index }));
      });
      t.meta.putSync(metaKey(META_KEYS.headHash), hash);
      if (marks.safe !== undefined) t.meta.putSync(metaKey(META_KEYS.safeHash), marks.safe);
      if (marks.finalized !== undefined) t.meta.putSync(metaKey(META_KEYS.finalizedHash), marks.finalized);
      if (!makeHead) {
        // back to the old head inside the same transaction (reads here see this transaction's writes)
        this.#moveTo(this.#pathTo(oldHead.hash, oldHead.header, { hash, header: block.header }));
        t.meta.putSync(metaKey(META_KEYS.headHash), oldHead.hash);
      }
    });
    if (makeHead) this.#emitHead(path, { hash, header: block.header }, true);
  }

  /**
   * Builds a block on the head (or `opts.parentHash`) from raw transactions, through the one block builder
   * (blockBuilder.ts) — tests, benchmarks, chain generation: the header's execution fields come from
   * executing it. Nothing is stored and nothing is remembered (its import executes it, to verify it).
   * Every transaction must be included: one the builder would skip is BLOCK_INVALID_TX here.
   */
  async buildBlock(rawTxs: readonly Uint8Array[], opts: BuildOptions = {}): Promise<Block> {
    const parentHash = opts.parentHash ?? this.head().hash;
    const parent = this.header(parentHash);
    const built = await new BlockBuilder(this).build(
      {
        parentHash,
        timestamp: opts.timestamp ?? (parent === undefined ? 0n : parent.timestamp + 12n),
        coinbase: opts.coinbase ?? new Uint8Array(20),
        prevRandao: opts.prevRandao ?? new Uint8Array(32),
        ...(opts.gasLimit === undefined ? {} : { gasLimit: opts.gasLimit }),
        ...(opts.extraData === undefined ? {} : { extraData: opts.extraData }),
        withdrawals: opts.withdrawals ?? [],
        parentBeaconBlockRoot: opts.parentBeaconBlockRoot ?? new Uint8Array(32),
        transactions: rawTxs,
      },
      { invalid: "throw" },
    );
    return built.block;
  }

  /**
   * The block builder's recover seam: the recover pool behind the sender cache. Not counted in
   * `work.senderLookups`, which counts what imports look up (a built block's import looks up nothing).
   */
  recoverForBuild(txs: readonly Uint8Array[]): Promise<RecoverItem[]> {
    return this.workers.recover(txs, this.config.chainId);
  }

  /**
   * The block builder's execute seam: `draft` run once in build mode on its parent (accepted or stored,
   * within `maxReorgDepth` of LMDB's head) through the one layered view (`#onParent`: live on unpersisted
   * blocks, else after the queued writes), counted as one build execution.
   */
  executeForBuild(draft: Block, parent: BlockHeader, txs: readonly ExecTx[]): Promise<ExecutedBlock> {
    return this.#onParent(draft.header.parentHash, (view) =>
      this.#execute(draft, parent, view, [...txs], "build"),
    );
  }
}
