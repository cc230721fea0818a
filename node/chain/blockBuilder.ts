/**
 * The one block builder: a block on a stored parent from the proposer's choices and an ordered list of raw
 * transactions. It makes the header template (headerTemplate.ts), recovers the senders through the chain's
 * recover seam (the sender cache in front of the recover pool answers what the txpool recovered), runs ONE
 * build-mode execution in the execute pool and fills in the header's execution fields (roots, bloom, gas
 * used, blob gas used). The main thread only assembles the header. Used by `Chain.buildBlock` (tests,
 * benchmarks, chain generation) and the Engine API's payload builder (forkchoiceUpdated with attributes).
 *
 * A transaction that cannot be included is decided only by the request and the parent state, so every node
 * building from the same request gets the same block: those the recover pool cannot decode or recover (bad
 * signature, wrong chain id), blob transactions (no sidecars on this chain) and repeated copies go first, in
 * list order; then the execute worker runs the rest in order and itself leaves out each one the block
 * rejects (nonce, balance, fee, gas left, …), going on with the next. Every transaction is tried and a build
 * costs one execution, however many are invalid. `invalid: "skip"` reports those (`skipped`, `onSkip`);
 * `invalid: "throw"` makes the first one BLOCK_INVALID_TX (a block that must hold every transaction).
 *
 * With `remember`, the chain keeps the execution (`Chain.rememberExecuted`), so the import of the built
 * block (newPayload) recovers and executes nothing.
 */
import type { Block } from "../core/block/block.ts";
import type { BlockHeader } from "../core/block/header.ts";
import type { Receipt } from "../core/block/receipt.ts";
import type { Withdrawal } from "../core/block/withdrawal.ts";
import type { ChainConfig } from "../core/chain/chainConfig.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex } from "../core/hex.ts";
import { type Transaction, TxType } from "../core/tx/types.ts";
import type { ExecTx, ExecutedBlock } from "../core/wire/execute.ts";
import type { RecoverItem } from "../core/wire/recover.ts";
import { headerTemplate } from "./headerTemplate.ts";

/** What to build: the parent, the proposer's choices and the transactions, in order. */
export interface BuildRequest {
  readonly parentHash: Uint8Array;
  readonly timestamp: bigint;
  readonly coinbase: Uint8Array;
  /** prevRandao (the header's mixHash) */
  readonly prevRandao: Uint8Array;
  /** default: the parent's */
  readonly gasLimit?: bigint;
  readonly extraData?: Uint8Array;
  /** Shanghai on: the withdrawals to credit (undefined: a block without withdrawals) */
  readonly withdrawals?: readonly Withdrawal[];
  /** Cancun on: the EIP-4788 root (undefined: no blob gas fields either) */
  readonly parentBeaconBlockRoot?: Uint8Array;
  /** raw EIP-2718 transactions, in the order to try them */
  readonly transactions: readonly Uint8Array[];
}

export interface SkippedTx {
  /** index in the request's transaction list */
  readonly index: number;
  /** lowercase hex, null when the bytes do not decode */
  readonly hash: string | null;
  /** the error code and its message, `CODE: message` */
  readonly reason: string;
  readonly code: string;
}

export interface BuiltBlock {
  readonly block: Block;
  /** the sum of the priority fees the fee recipient earns (getPayload's `blockValue`) */
  readonly blockValue: bigint;
  readonly skipped: readonly SkippedTx[];
  /** the included transactions' hashes, in block order */
  readonly txHashes: readonly Uint8Array[];
}

export interface BuildOptions {
  /** what an invalid transaction does: left out and reported (default), or BLOCK_INVALID_TX */
  readonly invalid?: "skip" | "throw";
  /** keep the execution for the block's import (`Chain.rememberExecuted`; default false) */
  readonly remember?: boolean;
  /** told of each skipped transaction, in the order they are decided */
  readonly onSkip?: (s: SkippedTx) => void;
}

/** What the builder needs of the chain (Chain implements it: its seams count the work it does). */
export interface BuildChain {
  readonly config: ChainConfig;
  /** a block's header, accepted (in memory) or stored */
  header(hash: Uint8Array): BlockHeader | undefined;
  /** the recover seam, counted as sender lookups */
  recoverForBuild(txs: readonly Uint8Array[]): Promise<RecoverItem[]>;
  /** one build-mode execution of `draft` on its stored parent, counted as a build execution */
  executeForBuild(draft: Block, parent: BlockHeader, txs: readonly ExecTx[]): Promise<ExecutedBlock>;
  rememberExecuted(block: Block, result: ExecutedBlock, txHashes: readonly Uint8Array[]): void;
}

interface Candidate {
  readonly index: number;
  readonly raw: Uint8Array;
  readonly hash: Uint8Array;
  readonly exec: ExecTx;
}

function effectiveTip(tx: Transaction, baseFee: bigint): bigint {
  if (tx.type === 0 || tx.type === 1) return tx.gasPrice - baseFee;
  const cap = tx.maxFeePerGas - baseFee;
  if (cap < tx.maxPriorityFeePerGas) return cap;
  return tx.maxPriorityFeePerGas;
}

/** The sum of the priority fees the fee recipient earns. */
function blockValue(txs: readonly ExecTx[], receipts: readonly Receipt[], baseFee: bigint): bigint {
  let value = 0n;
  let prev = 0n;
  receipts.forEach((r, i) => {
    const used = r.cumulativeGasUsed - prev;
    prev = r.cumulativeGasUsed;
    value += used * effectiveTip(txs[i]!.tx, baseFee);
  });
  return value;
}

/** The header's execution fields from the build's result. */
function sealHeader(template: BlockHeader, r: ExecutedBlock): BlockHeader {
  return {
    ...template,
    stateRoot: r.stateRoot,
    transactionsRoot: r.transactionsRoot,
    receiptsRoot: r.receiptsRoot,
    logsBloom: r.logsBloom,
    gasUsed: r.gasUsed,
    ...(r.withdrawalsRoot === null ? {} : { withdrawalsRoot: r.withdrawalsRoot }),
    ...(template.blobGasUsed === undefined ? {} : { blobGasUsed: r.blobGasUsed }),
  };
}

export class BlockBuilder {
  constructor(private readonly chain: BuildChain) {}

  /** Builds (never stores) the block `req` describes. Callers serialise it with moves of the head. */
  async build(req: BuildRequest, opts: BuildOptions = {}): Promise<BuiltBlock> {
    const chain = this.chain;
    const parent = chain.header(req.parentHash);
    if (parent === undefined)
      throw new FastEvmError(
        ErrorCode.BLOCK_UNKNOWN_PARENT,
        `invalid block: unknown parent ${bytesToHex(req.parentHash)} to build on`,
      );
    const skipped: SkippedTx[] = [];
    const skip = (index: number, hash: Uint8Array | null, code: string, message: string) => {
      if (opts.invalid === "throw")
        throw new FastEvmError(
          ErrorCode.BLOCK_INVALID_TX,
          `invalid block: transaction ${index}: ${message}`,
          {
            index,
            cause: code,
          },
        );
      const s = { index, hash: hash === null ? null : bytesToHex(hash), reason: `${code}: ${message}`, code };
      skipped.push(s);
      opts.onSkip?.(s);
    };

    // Recovery (the sender cache, then the recover pool); then, in list order: recoverable, no blobs,
    // first copy of each transaction hash only.
    const all = req.transactions;
    const recovered = all.length === 0 ? [] : await chain.recoverForBuild(all);
    const seen = new Set<string>();
    const list: Candidate[] = [];
    for (const [index, raw] of all.entries()) {
      const r = recovered[index]!;
      if (!r.ok) {
        skip(index, null, r.error.code, r.error.message);
        continue;
      }
      const c: Candidate = {
        index,
        raw,
        hash: r.hash,
        exec: { tx: r.tx, sender: r.sender, intrinsicGas: r.intrinsicGas },
      };
      const key = bytesToHex(r.hash);
      if (r.tx.type === TxType.Blob)
        skip(
          index,
          r.hash,
          ErrorCode.TX_BLOB_SIDECAR,
          "blob transactions need sidecars, which this chain does not carry",
        );
      else if (seen.has(key))
        skip(index, r.hash, ErrorCode.TX_NONCE_TOO_LOW, "duplicate of an earlier transaction");
      else {
        seen.add(key);
        list.push(c);
      }
    }

    const template = headerTemplate(parent, req.parentHash, {
      coinbase: req.coinbase,
      timestamp: req.timestamp,
      mixHash: req.prevRandao,
      ...(req.gasLimit === undefined ? {} : { gasLimit: req.gasLimit }),
      ...(req.extraData === undefined ? {} : { extraData: req.extraData }),
      withdrawals: req.withdrawals !== undefined,
      ...(req.parentBeaconBlockRoot === undefined
        ? {}
        : { parentBeaconBlockRoot: req.parentBeaconBlockRoot }),
    });
    const draft: Block = {
      header: template,
      transactions: list.map((c) => c.raw),
      ommers: [],
      ...(req.withdrawals === undefined ? {} : { withdrawals: req.withdrawals }),
    };
    // One execution: the worker leaves out each transaction the block rejects and names it.
    const result = await chain.executeForBuild(
      draft,
      parent,
      list.map((c) => c.exec),
    );
    const left = new Set<number>();
    for (const s of result.skipped) {
      const c = list[s.index];
      if (c === undefined)
        throw new FastEvmError(ErrorCode.INTERNAL, `execute worker skipped unknown transaction ${s.index}`);
      left.add(s.index);
      skip(c.index, c.hash, s.code, s.message);
    }
    const included = list.filter((_, i) => !left.has(i));
    const block: Block = {
      ...draft,
      header: sealHeader(template, result),
      transactions: included.map((c) => c.raw),
    };
    const txHashes = included.map((c) => c.hash);
    if (opts.remember === true) chain.rememberExecuted(block, result, txHashes);
    return {
      block,
      blockValue: blockValue(
        included.map((c) => c.exec),
        result.receipts,
        template.baseFeePerGas!,
      ),
      skipped,
      txHashes,
    };
  }
}
