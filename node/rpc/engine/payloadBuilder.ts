/**
 * Payload building for forkchoiceUpdated: a block on `parent` from the attributes, its transactions taken
 * from the forced list (`transactions`, the FastEVM/OP Stack extension) and — unless `noTxPool` — the txpool.
 * Execution and trie hashing run in the execute pool (recovery in the recover pool); the main thread only
 * assembles the header.
 *
 * A forced transaction that cannot be included is SKIPPED, never fatal, and the skip is decided only by the
 * attributes and the parent state, so every node building from the same attributes gets the same block:
 * those the recover pool cannot decode or recover (bad signature, wrong chain id), blob transactions (no
 * sidecars on this chain) and repeated copies go first, in list order; then the execute worker, in build
 * mode, runs the rest in order and itself leaves out each one the block rejects (nonce, balance, fee, gas
 * left, …), going on with the next, so a smaller transaction after one that no longer fits is still tried.
 * Every transaction is tried and a build costs one execution, however many are invalid. The chain remembers
 * the execution (`Chain.rememberExecuted`), so the newPayload of the built block executes nothing.
 */
import type { Chain, ChainWorkers } from "../../chain/chain.ts";
import { headerTemplate } from "../../chain/headerTemplate.ts";
import type { Block } from "../../core/block/block.ts";
import type { BlockHeader } from "../../core/block/header.ts";
import type { Receipt } from "../../core/block/receipt.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import type { Transaction } from "../../core/tx/types.ts";
import type { ExecTx, ExecutedBlock } from "../../core/wire/execute.ts";
import { EMPTY_TX_SOURCE, type TxSource } from "../../txpool/source.ts";
import type { PayloadAttributes } from "./validate.ts";

export interface SkippedTx {
  /** index in the forced list */
  readonly index: number;
  readonly hash: string | null;
  readonly reason: string;
}

export interface BuiltPayload {
  readonly block: Block;
  readonly blockValue: bigint;
  readonly skipped: readonly SkippedTx[];
}

interface Candidate {
  readonly index: number;
  readonly raw: Uint8Array;
  /** null when the bytes do not decode */
  readonly hash: Uint8Array | null;
  readonly exec?: ExecTx;
}

function effectiveTip(tx: Transaction, baseFee: bigint): bigint {
  if (tx.type === 0 || tx.type === 1) return tx.gasPrice - baseFee;
  const cap = tx.maxFeePerGas - baseFee;
  if (cap < tx.maxPriorityFeePerGas) return cap;
  return tx.maxPriorityFeePerGas;
}

/** The sum of the priority fees the fee recipient earns (getPayload's `blockValue`). */
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

export class PayloadBuilder {
  constructor(
    private readonly chain: Chain,
    private readonly workers: ChainWorkers,
    private readonly txSource: TxSource = EMPTY_TX_SOURCE,
    private readonly onSkip: (s: SkippedTx) => void = () => {},
  ) {}

  /** Builds (never stores) a block on `parentHash`. Must run under the engine's chain lock. */
  async build(parentHash: Uint8Array, attrs: PayloadAttributes): Promise<BuiltPayload> {
    const chain = this.chain;
    const parent = chain.header(parentHash);
    if (parent === undefined)
      throw new FastEvmError(ErrorCode.PAYLOAD_BUILD, `unknown parent ${bytesToHex(parentHash)}`);
    const forced = attrs.transactions ?? [];
    const gasLimit = attrs.gasLimit ?? parent.gasLimit;
    const pool = attrs.noTxPool
      ? []
      : this.txSource.select({ maxCount: 10_000, maxBytes: 4 * 1024 * 1024, maxGas: gasLimit });
    const skipped: SkippedTx[] = [];
    const skip = (c: Candidate, reason: string) => {
      const s = { index: c.index, hash: c.hash === null ? null : bytesToHex(c.hash), reason };
      skipped.push(s);
      this.onSkip(s);
    };
    // Decoding and sender recovery in the recover pool; then, in list order: recoverable, no blobs, first
    // copy of each hash only.
    const all = [...forced, ...pool];
    const recovered = await this.workers.recover(all, chain.config.chainId);
    const seen = new Set<string>();
    const list: Candidate[] = [];
    for (const [index, raw] of all.entries()) {
      const r = recovered[index]!;
      if (!r.ok) {
        skip({ index, raw, hash: null }, `${r.error.code}: ${r.error.message}`);
        continue;
      }
      const exec = { tx: r.tx, sender: r.sender, intrinsicGas: r.intrinsicGas };
      const c: Candidate = { index, raw, hash: r.hash, exec };
      const key = bytesToHex(r.hash);
      if (r.tx.type === 3) skip(c, "blob transactions need sidecars, which this chain does not carry");
      else if (seen.has(key)) skip(c, "duplicate");
      else {
        seen.add(key);
        list.push(c);
      }
    }

    const template = headerTemplate(parent, parentHash, {
      coinbase: attrs.suggestedFeeRecipient,
      timestamp: attrs.timestamp,
      mixHash: attrs.prevRandao,
      ...(attrs.gasLimit === undefined ? {} : { gasLimit: attrs.gasLimit }),
      ...(attrs.extraData === undefined ? {} : { extraData: attrs.extraData }),
      withdrawals: attrs.withdrawals !== undefined,
      ...(attrs.parentBeaconBlockRoot === undefined
        ? {}
        : { parentBeaconBlockRoot: attrs.parentBeaconBlockRoot }),
    });
    // One execution, on the parent's state once the chain's queued writes are in: the worker leaves out
    // each transaction the block rejects and names it.
    const result = await chain.onParentState(parentHash, (view) =>
      this.workers.execute({
        datadir: chain.storage.datadir,
        chainId: chain.config.chainId,
        header: template,
        parentStateRoot: parent.stateRoot,
        txs: list.map((c) => c.exec!),
        rawTxs: list.map((c) => c.raw),
        ommerCount: 0,
        ...(attrs.withdrawals === undefined ? {} : { withdrawals: attrs.withdrawals }),
        overlay: view.overlay,
        ancestorHashes: view.ancestorHashes,
        mode: "build",
      }),
    );
    if (!result.ok) {
      const err = FastEvmError.fromObject(result.error);
      throw new FastEvmError(ErrorCode.PAYLOAD_BUILD, `payload build failed: ${err.message}`, {
        cause: err.code,
      });
    }
    const left = new Set<number>();
    for (const s of result.skipped) {
      const c = list[s.index];
      if (c === undefined)
        throw new FastEvmError(ErrorCode.INTERNAL, `execute worker skipped unknown transaction ${s.index}`);
      left.add(s.index);
      skip(c, `${s.code}: ${s.message}`);
    }
    const included = list.filter((_, i) => !left.has(i));
    const rawTxs = included.map((c) => c.raw);
    const block = this.#assemble(template, rawTxs, attrs, result);
    chain.rememberExecuted(
      block,
      result,
      included.map((c) => c.hash!),
    );
    return {
      block,
      blockValue: blockValue(
        included.map((c) => c.exec!),
        result.receipts,
        template.baseFeePerGas!,
      ),
      skipped,
    };
  }

  #assemble(template: BlockHeader, rawTxs: Uint8Array[], attrs: PayloadAttributes, r: ExecutedBlock): Block {
    const header: BlockHeader = {
      ...template,
      stateRoot: r.stateRoot,
      transactionsRoot: r.transactionsRoot,
      receiptsRoot: r.receiptsRoot,
      logsBloom: r.logsBloom,
      gasUsed: r.gasUsed,
      ...(r.withdrawalsRoot === null ? {} : { withdrawalsRoot: r.withdrawalsRoot }),
      ...(template.blobGasUsed === undefined ? {} : { blobGasUsed: r.blobGasUsed }),
    };
    return {
      header,
      transactions: rawTxs,
      ommers: [],
      ...(attrs.withdrawals === undefined ? {} : { withdrawals: attrs.withdrawals }),
    };
  }
}
