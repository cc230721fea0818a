/**
 * Payload building for forkchoiceUpdated: a block on `parent` from the attributes, its transactions taken
 * from the forced list (`transactions`, the FastEVM/OP Stack extension) and — unless `noTxPool` — the txpool.
 * Execution and trie hashing run in the execute pool (recovery in the recover pool); the main thread only
 * assembles the header.
 *
 * A forced transaction that cannot be included is SKIPPED, never fatal, and the skip is decided only by the
 * attributes and the parent state, so every node building from the same attributes gets the same block:
 * those the recover pool cannot decode or recover (bad signature, wrong chain id), blob transactions (no
 * sidecars on this chain) and repeated copies go first, in list order; then, executing the rest in order,
 * the first one the block rejects (nonce, balance, gas left, …) is removed and the block re-run, until it
 * executes. Each re-run costs one execution; after MAX_RERUNS of them the rest of the list is skipped.
 */
import type { Chain, ChainWorkers } from "../../chain/chain.ts";
import { headerTemplate } from "../../chain/headerTemplate.ts";
import { composeOverlay } from "../../chain/stateDiff.ts";
import type { Block } from "../../core/block/block.ts";
import type { BlockHeader } from "../../core/block/header.ts";
import type { Receipt } from "../../core/block/receipt.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bytesToHex } from "../../core/hex.ts";
import type { Transaction } from "../../core/tx/types.ts";
import type { ExecTx, ExecutedBlock } from "../../core/wire/execute.ts";
import { EMPTY_TX_SOURCE, type TxSource } from "../../txpool/source.ts";
import { pathToBlock } from "./headPath.ts";
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

/**
 * Re-executions one build may spend on transactions the block rejects; past it the rest of the list is
 * skipped (an attacker's list of invalid transactions cannot make a build quadratic).
 */
export const MAX_RERUNS = 32;

interface Candidate {
  readonly index: number;
  readonly raw: Uint8Array;
  /** null when the bytes do not decode */
  readonly hash: Uint8Array | null;
  readonly tx?: Transaction;
  readonly sender?: Uint8Array;
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
    const parent = chain.store.header(parentHash);
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
    let list: Candidate[] = [];
    for (const [index, raw] of all.entries()) {
      const r = recovered[index]!;
      if (!r.ok) {
        skip({ index, raw, hash: null }, `${r.error.code}: ${r.error.message}`);
        continue;
      }
      const c: Candidate = { index, raw, hash: r.hash, tx: r.tx, sender: r.sender };
      const key = bytesToHex(r.hash);
      if (r.tx.type === 3) skip(c, "blob transactions need sidecars, which this chain does not carry");
      else if (seen.has(key)) skip(c, "duplicate");
      else {
        seen.add(key);
        list.push(c);
      }
    }

    const path = pathToBlock(chain, parentHash);
    const diff = (h: Uint8Array) => {
      const d = chain.store.stateDiff(h);
      if (d === undefined)
        throw new FastEvmError(ErrorCode.STORAGE, `block ${bytesToHex(h)} has no state diff`);
      return d;
    };
    const overlay = composeOverlay(
      path.rewind.map((s) => diff(s.hash)),
      path.reapply.map((s) => diff(s.hash)),
    );
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
    // Execute; drop the first transaction the block rejects and re-run (bounded by the list length).
    let reruns = 0;
    for (;;) {
      const txs: ExecTx[] = list.map((c) => ({ tx: c.tx!, sender: c.sender! }));
      const rawTxs = list.map((c) => c.raw);
      const result = await this.workers.execute({
        datadir: chain.storage.datadir,
        chainId: chain.config.chainId,
        header: template,
        parentStateRoot: parent.stateRoot,
        txs,
        rawTxs,
        ommerCount: 0,
        ...(attrs.withdrawals === undefined ? {} : { withdrawals: attrs.withdrawals }),
        overlay,
        ancestorHashes: path.reapply.map((s) => [s.header.number, s.hash] as const),
        mode: "build",
      });
      if (!result.ok) {
        const err = FastEvmError.fromObject(result.error);
        const at = err.meta?.index;
        if (err.code === ErrorCode.BLOCK_INVALID_TX && typeof at === "number" && list[at] !== undefined) {
          skip(list[at]!, `${String(err.meta?.cause ?? err.code)}: ${err.message}`);
          if (++reruns > MAX_RERUNS) {
            // Bounded work per build, still a function of the attributes and the parent state only.
            for (const c of list.slice(at + 1))
              skip(c, `not tried: more than ${MAX_RERUNS} invalid transactions`);
            list = list.slice(0, at);
          } else list = list.filter((_, i) => i !== at);
          continue;
        }
        throw new FastEvmError(ErrorCode.PAYLOAD_BUILD, `payload build failed: ${err.message}`, {
          cause: err.code,
        });
      }
      return {
        block: this.#assemble(template, rawTxs, attrs, result),
        blockValue: blockValue(txs, result.receipts, template.baseFeePerGas!),
        skipped,
      };
    }
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
