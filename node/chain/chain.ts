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
 */
import { type Block, encodeBody } from "../core/block/block.ts";
import { type BlockHeader, encodeHeader, headerHash } from "../core/block/header.ts";
import { encodeBlockReceipts } from "../core/block/receipt.ts";
import type { Withdrawal } from "../core/block/withdrawal.ts";
import { concatBytes, equalBytes } from "../core/bytes.ts";
import { timestampRuleOf } from "../core/chain/blockRules.ts";
import type { ChainConfig } from "../core/chain/chainConfig.ts";
import { ErrorCode, FastEvmError, isValidationError } from "../core/errors.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex } from "../core/hex.ts";
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
import { ExecutedBlocks } from "./executedBlocks.ts";
import {
  applyStateDiff,
  composeOverlay,
  diffFromWrites,
  encodeStateDiff,
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
  /** executed-but-not-stored blocks kept for their import (default EXECUTED_BLOCKS_CAPACITY; 0: none) */
  readonly executedBlocks?: number;
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
  /** imports that committed a remembered result (no recovery, no execution) */
  executedHits: number;
  /** blocks whose raw transactions fork choice had to hash (no stored tx hashes: older datadirs) */
  txHashFallbacks: number;
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
  /** blocks executed here and not stored yet, by hash (bounded, oldest dropped) */
  readonly executed: ExecutedBlocks;
  readonly work: ChainWork = {
    verifyExecutions: 0,
    buildExecutions: 0,
    senderLookups: 0,
    executedHits: 0,
    txHashFallbacks: 0,
  };

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
    this.executed = new ExecutedBlocks(opts.executedBlocks);
    this.#metrics?.headNumber.set(Number(this.store.head().header.number));
  }

  head(): { hash: Uint8Array; header: BlockHeader } {
    return this.store.head();
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

  async #recover(block: Block): Promise<{ txs: ExecTx[]; hashes: Uint8Array[] }> {
    this.work.senderLookups += block.transactions.length;
    this.#metrics?.senderLookups.inc(block.transactions.length);
    const items = await this.workers.recover(block.transactions, this.config.chainId);
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

  async #execute(
    block: Block,
    parent: BlockHeader,
    path: Path,
    txs: ExecTx[],
    mode: "verify" | "build",
  ): Promise<ExecutedBlock> {
    this.#countExecution(mode);
    const overlay: StateOverlay = composeOverlay(
      path.rewind.map((b) => b.diff),
      path.reapply.map((b) => b.diff),
    );
    const result = await this.workers.execute({
      datadir: this.storage.datadir,
      chainId: this.config.chainId,
      header: block.header,
      parentStateRoot: parent.stateRoot,
      txs,
      rawTxs: block.transactions,
      ommerCount: block.ommers.length,
      ...(block.withdrawals === undefined ? {} : { withdrawals: block.withdrawals }),
      overlay,
      ancestorHashes: path.reapply.map((b) => [b.header.number, b.hash] as const),
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
  async importBlock(block: Block, opts: { readonly makeHead?: boolean } = {}): Promise<ImportResult> {
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
        const recovered = await this.#recover(block);
        hashes = recovered.hashes;
        t1 = performance.now();
        result = await this.#execute(block, parent, path, recovered.txs, "verify");
      } catch (e) {
        if (isValidationError(e)) this.#metrics?.invalidBlocks.inc();
        throw e;
      }
    }
    const t2 = performance.now();
    this.#commit(block, hash, hashes, result, path, opts.makeHead ?? true);
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

  #observeImport(r: ImportResult, t: NonNullable<ImportResult["timings"]>): void {
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
    m.stageTime.observe({ stage: "persist" }, t.commitMs / 1000);
  }

  /**
   * Makes a stored block the head (fork choice, e.g. the Engine API's forkchoiceUpdated): rewinds the flat
   * state to the common ancestor and re-applies the target's branch from the stored diffs, moving the
   * canonical and tx indexes with it — one transaction, no re-execution; `safe` / `finalized` marks are
   * written in the same transaction. Returns the number of blocks rewound.
   */
  setHead(
    hash: Uint8Array,
    marks: { readonly safe?: Uint8Array; readonly finalized?: Uint8Array } = {},
  ): number {
    const header = this.store.header(hash);
    const genesis = this.store.meta(META_KEYS.genesisHash);
    const executed =
      this.storage.tables.stateDiffs.doesExist(hash) || (genesis !== undefined && equalBytes(genesis, hash));
    if (header === undefined || !executed) {
      throw new FastEvmError(
        ErrorCode.NOT_FOUND,
        `block ${bytesToHex(hash)} is not stored (or never executed)`,
      );
    }
    const path = this.#pathTo(hash, header);
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
  ): void {
    const t = this.storage.tables;
    const oldHead = this.store.head();
    const onHead = path.rewind.length === 0 && path.reapply.length === 0;
    const storeBlock = (diff: StateDiff) => {
      t.stateDiffs.putSync(hash, encodeStateDiff(diff));
      for (const [k, v] of result.trieNodes) t.trieNodes.putSync(k, v);
      t.headers.putSync(hash, encodeHeader(block.header));
      t.bodies.putSync(hash, encodeBody(block));
      t.receipts.putSync(hash, encodeBlockReceipts(result.receipts));
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
    const parentHash = opts.parentHash ?? this.store.head().hash;
    const parent = this.store.header(parentHash);
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
   * The block builder's execute seam: `draft` run once in build mode on its stored parent (within
   * `maxReorgDepth` of the head), counted as one build execution.
   */
  executeForBuild(draft: Block, parent: BlockHeader, txs: readonly ExecTx[]): Promise<ExecutedBlock> {
    const path = this.#pathTo(draft.header.parentHash, parent);
    return this.#execute(draft, parent, path, [...txs], "build");
  }
}
