/**
 * Executes one block (Cancun rules) on the WASM EVM: body checks (ommers, transactions root, withdrawals
 * root), the EIP-4788 beacon-root system call, every transaction in order, EIP-4895 withdrawals in Gwei, then
 * receipts, bloom, gas used and blob gas used. In "verify" mode an invalid transaction rejects the block and
 * each result is checked against the header with its own BLOCK_* code. In "build" mode an invalid
 * transaction is skipped (nothing of it applied, no gas or blob gas counted) and the next one is tried, as
 * geth's miner does; the roots cover the executed transactions. The state root is the trie step's job.
 */

import { transactionsRoot } from "../../node/core/block/block.ts";
import { mergeBlooms } from "../../node/core/block/bloom.ts";
import { createReceipt, type Receipt, receiptsRootAndBlob } from "../../node/core/block/receipt.ts";
import { withdrawalsRoot } from "../../node/core/block/withdrawal.ts";
import { equalBytes } from "../../node/core/bytes.ts";
import { blobBaseFee } from "../../node/core/chain/fees.ts";
import { BEACON_ROOTS_ADDRESS, GAS_PER_BLOB, MAX_BLOB_GAS_PER_BLOCK } from "../../node/core/chain/params.ts";
import { ErrorCode, FastEvmError, isValidationError } from "../../node/core/errors.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import type { Transaction } from "../../node/core/tx/types.ts";
import type { ExecuteTask, SkippedExecTx } from "../../node/core/wire/execute.ts";
import {
  prepareTransaction,
  priceTransaction,
  StateCheck,
  stateCheckError,
  type TxFields,
  type TxPricing,
} from "../../node/evm/transition.ts";
import type { WasmEvm } from "../../wasm/bindings/evmModule.ts";
import type { AccountChange, BlockEnv, BlockRunTx, EvmHost, EvmTx } from "../../wasm/bindings/evmTypes.ts";
import { EvmStatus } from "../../wasm/bindings/evmTypes.ts";
import type { BlockState, BlockWrite } from "./blockState.ts";

/** EIP-4788 caller of the beacon-roots contract. */
export const SYSTEM_ADDRESS = hexToBytes("0xfffffffffffffffffffffffffffffffffffffffe");
const BEACON_ROOTS = hexToBytes(BEACON_ROOTS_ADDRESS);
const SYSTEM_CALL_GAS = 30_000_000n;
const GWEI = 1_000_000_000n;

export interface BlockOutcome {
  /** build mode: the transactions left out (index into the task's txs) */
  readonly skipped: SkippedExecTx[];
  readonly receipts: Receipt[];
  readonly gasUsed: bigint;
  readonly blobGasUsed: bigint;
  readonly logsBloom: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  /** the receipts as stored (encodeBlockReceipts) */
  readonly receiptsRlp: Uint8Array;
  readonly transactionsRoot: Uint8Array;
  readonly withdrawalsRoot: Uint8Array | null;
  readonly writes: BlockWrite[];
}

function reject(code: ErrorCode, message: string): never {
  throw new FastEvmError(code, `invalid block: ${message}`);
}

export function blockEnv(task: ExecuteTask): BlockEnv {
  const h = task.header;
  return {
    coinbase: h.coinbase,
    number: h.number,
    timestamp: h.timestamp,
    gasLimit: h.gasLimit,
    prevRandao: h.mixHash,
    baseFee: h.baseFeePerGas ?? 0n,
    blobBaseFee: blobBaseFee(h.excessBlobGas ?? 0n),
    chainId: task.chainId,
  };
}

const NO_ACCESS_LIST: TxFields["accessList"] = [];

/**
 * The state transition's view of a recovered transaction; `intrinsicGas` when it passed validate. Built
 * field by field in one order per type (one object shape each; spreading copies cost several µs a call).
 */
export function txFields(tx: Transaction, sender: Uint8Array, intrinsicGas?: number): TxFields {
  const f: { -readonly [K in keyof TxFields]: TxFields[K] } = {
    sender,
    to: tx.to,
    nonce: tx.nonce,
    value: tx.value,
    gasLimit: tx.gasLimit,
    data: tx.data,
    accessList: tx.type === 0 ? NO_ACCESS_LIST : tx.accessList,
  };
  if (intrinsicGas !== undefined) f.intrinsicGas = BigInt(intrinsicGas);
  if (tx.type === 0 || tx.type === 1) {
    f.gasPrice = tx.gasPrice;
    return f;
  }
  f.maxFeePerGas = tx.maxFeePerGas;
  f.maxPriorityFeePerGas = tx.maxPriorityFeePerGas;
  if (tx.type === 3) {
    f.maxFeePerBlobGas = tx.maxFeePerBlobGas;
    f.blobVersionedHashes = tx.blobVersionedHashes;
  }
  return f;
}

/**
 * EIP-4788: store the parent beacon root through the contract, as a call from SYSTEM_ADDRESS that pays no
 * gas, bumps no nonce and touches neither the caller nor the coinbase (the module runs it as a transaction,
 * so those two writes are dropped).
 */
function beaconRootCall(evm: WasmEvm, env: BlockEnv, root: Uint8Array, state: BlockState): void {
  const tx: EvmTx = {
    sender: SYSTEM_ADDRESS,
    to: BEACON_ROOTS,
    value: 0n,
    gasLimit: SYSTEM_CALL_GAS,
    intrinsicGas: 0n,
    gasPrice: 0n,
    priorityFee: 0n,
    upfrontCost: 0n,
    data: root,
    accessList: [],
    blobHashes: [],
  };
  const sysEnv = {
    ...env,
    baseFee: 0n,
    gasLimit: env.gasLimit > SYSTEM_CALL_GAS ? env.gasLimit : SYSTEM_CALL_GAS,
  };
  const result = evm.execute(sysEnv, tx, state);
  if (result.status === EvmStatus.INTERNAL_ERROR)
    throw new FastEvmError(ErrorCode.EVM_INTERNAL, "beacon root system call failed inside the EVM");
  const keep = result.changes.filter(
    (c) =>
      !equalBytes(c.address, SYSTEM_ADDRESS) &&
      (equalBytes(c.address, BEACON_ROOTS) || !equalBytes(c.address, env.coinbase)),
  );
  state.apply(keep);
}

/** The transactions of a block, run: their receipts, what was left out (build mode) and the gas. */
export interface TxLoopResult {
  readonly receipts: Receipt[];
  readonly skipped: SkippedExecTx[];
  /** the raw transactions executed, in order */
  readonly executedRaw: Uint8Array[];
  readonly gasUsed: bigint;
  readonly blobGasUsed: bigint;
}

/**
 * Runs a block's transactions over `state` and applies their writes to it; throws a BLOCK_* FastEvmError in
 * verify mode on the first invalid one. `wasmTxLoop` is the node's; tests pass the one-call-per-transaction
 * loop as the differential oracle.
 */
export type TxLoop = (task: ExecuteTask, env: BlockEnv, evm: WasmEvm, state: TxLoopState) => TxLoopResult;

/** The state a loop runs over: the module's host, which takes write-sets (BlockState; MemoryState in tests). */
export type TxLoopState = EvmHost & { apply(changes: readonly AccountChange[]): void };

function blobGasLimitMessage(used: bigint, blobGas: bigint, i: number): string {
  return `blob gas ${used + blobGas} exceeds ${MAX_BLOB_GAS_PER_BLOCK} at tx ${i}`;
}

function invalidTx(i: number, e: FastEvmError<string>): FastEvmError {
  return new FastEvmError(ErrorCode.BLOCK_INVALID_TX, `invalid block: transaction ${i}: ${e.message}`, {
    index: i,
    cause: e.code,
  });
}

/** The module's view of a block's transactions, with the fields and pricing their errors are made from. */
export function blockRunTxs(
  task: ExecuteTask,
  env: BlockEnv,
): { fields: TxFields[]; pricing: TxPricing[]; runTxs: BlockRunTx[] } {
  const fields: TxFields[] = [];
  const pricing: TxPricing[] = [];
  const runTxs: BlockRunTx[] = [];
  for (const { tx, sender, intrinsicGas } of task.txs) {
    const f = txFields(tx, sender, intrinsicGas);
    const p = priceTransaction(f, env);
    fields.push(f);
    pricing.push(p);
    runTxs.push({
      tx: {
        sender,
        to: f.to,
        value: f.value,
        gasLimit: p.statelessError === undefined ? f.gasLimit : 0n,
        intrinsicGas: p.statelessError === undefined ? p.intrinsic : 0n,
        gasPrice: p.gasPrice,
        priorityFee: p.priorityFee,
        upfrontCost: p.upfrontCost,
        data: f.data,
        accessList: f.accessList,
        blobHashes: f.blobVersionedHashes ?? [],
      },
      nonce: f.nonce,
      maxCost: p.maxCost,
      blobGas: p.blobGas,
      precheck: p.statelessError !== undefined,
      feeCheck: p.feeError !== undefined,
    });
  }
  return { fields, pricing, runTxs };
}

/**
 * The block loop inside the module: one `executeBlock` call checks and runs every transaction over one state
 * cache and returns the receipts' fields and the block's write-set, applied here once.
 */
export const wasmTxLoop: TxLoop = (task, env, evm, state) => {
  const verify = task.mode === "verify";
  const { fields, pricing, runTxs } = blockRunTxs(task, env);
  const run = evm.executeBlock(env, { build: !verify, maxBlobGas: MAX_BLOB_GAS_PER_BLOCK }, runTxs, state);
  const receipts: Receipt[] = [];
  const skipped: SkippedExecTx[] = [];
  const executedRaw: Uint8Array[] = [];
  let gasUsed = 0n;
  for (const [i, r] of run.records.entries()) {
    if (r.check === StateCheck.BLOB_GAS_LIMIT) {
      const message = blobGasLimitMessage(r.detail, pricing[i]!.blobGas, i);
      if (verify) reject(ErrorCode.BLOCK_BLOB_GAS_LIMIT, message);
      skipped.push({ index: i, code: ErrorCode.TX_BLOB_GAS_EXCEEDS_BLOCK, message });
      continue;
    }
    if (r.check !== StateCheck.OK) {
      const e = stateCheckError(r.check, fields[i]!, pricing[i]!, r.detail);
      if (verify) throw invalidTx(i, e);
      skipped.push({ index: i, code: e.code, message: e.message });
      continue;
    }
    if (r.status === EvmStatus.INTERNAL_ERROR)
      throw new FastEvmError(ErrorCode.EVM_INTERNAL, `EVM internal error in transaction ${i}`);
    gasUsed += r.gasUsed;
    executedRaw.push(task.rawTxs[i]!);
    receipts.push(
      createReceipt(task.txs[i]!.tx.type, r.status === EvmStatus.SUCCESS ? 1 : 0, gasUsed, r.logs),
    );
  }
  if (gasUsed !== run.gasUsed)
    throw new FastEvmError(ErrorCode.EVM_INTERNAL, `block loop gas ${run.gasUsed} != receipts' ${gasUsed}`);
  state.apply(run.changes);
  return { receipts, skipped, executedRaw, gasUsed, blobGasUsed: run.blobGasUsed };
};

/**
 * The one-call-per-transaction loop: the state transition in TypeScript (`prepareTransaction`), one module
 * call per transaction and its write-set applied after each. The differential oracle of `wasmTxLoop`.
 */
export const perTxLoop: TxLoop = (task, env, evm, state) => {
  const h = task.header;
  const verify = task.mode === "verify";
  const receipts: Receipt[] = [];
  const skipped: SkippedExecTx[] = [];
  const executedRaw: Uint8Array[] = [];
  let gasUsed = 0n;
  let blobGasUsed = 0n;
  for (const [i, { tx, sender, intrinsicGas }] of task.txs.entries()) {
    const blobGas = tx.type === 3 ? GAS_PER_BLOB * BigInt(tx.blobVersionedHashes.length) : 0n;
    if (blobGasUsed + blobGas > MAX_BLOB_GAS_PER_BLOCK) {
      const message = blobGasLimitMessage(blobGasUsed, blobGas, i);
      if (verify) reject(ErrorCode.BLOCK_BLOB_GAS_LIMIT, message);
      skipped.push({ index: i, code: ErrorCode.TX_BLOB_GAS_EXCEEDS_BLOCK, message });
      continue;
    }
    let prepared: EvmTx;
    try {
      // reads the sender's account only: a rejected transaction leaves the state untouched
      prepared = prepareTransaction(
        txFields(tx, sender, intrinsicGas),
        { env, gasAvailable: h.gasLimit - gasUsed },
        state,
      );
    } catch (e) {
      if (!isValidationError(e)) throw e;
      if (!verify) {
        skipped.push({ index: i, code: e.code, message: e.message });
        continue;
      }
      throw invalidTx(i, e);
    }
    const result = evm.execute(env, prepared, state);
    if (result.status === EvmStatus.INTERNAL_ERROR)
      throw new FastEvmError(ErrorCode.EVM_INTERNAL, `EVM internal error in transaction ${i}`);
    state.apply(result.changes);
    gasUsed += result.gasUsed;
    blobGasUsed += blobGas;
    executedRaw.push(task.rawTxs[i]!);
    const logs = result.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data }));
    receipts.push(createReceipt(tx.type, result.status === EvmStatus.SUCCESS ? 1 : 0, gasUsed, logs));
  }
  return { receipts, skipped, executedRaw, gasUsed, blobGasUsed };
};

/** Runs the block; throws a BLOCK_* FastEvmError (with the failing rule) when it is invalid. */
export function executeBlock(
  task: ExecuteTask,
  evm: WasmEvm,
  state: BlockState,
  txLoop: TxLoop = wasmTxLoop,
): BlockOutcome {
  const h = task.header;
  const verify = task.mode === "verify";
  if (task.ommerCount !== 0) reject(ErrorCode.BLOCK_OMMERS, `${task.ommerCount} ommers after the merge`);
  // verify: the body before any execution, as geth does; build: the root over the executed ones, below
  let txRoot: Uint8Array | undefined;
  if (verify) {
    txRoot = transactionsRoot(task.rawTxs);
    if (!equalBytes(txRoot, h.transactionsRoot))
      reject(
        ErrorCode.BLOCK_TRANSACTIONS_ROOT,
        `transactions root ${bytesToHex(txRoot)} != header ${bytesToHex(h.transactionsRoot)}`,
      );
  }
  const wRoot = task.withdrawals === undefined ? null : withdrawalsRoot(task.withdrawals);
  if (verify && wRoot !== null && (h.withdrawalsRoot === undefined || !equalBytes(wRoot, h.withdrawalsRoot)))
    reject(ErrorCode.BLOCK_WITHDRAWALS_ROOT, `withdrawals root ${bytesToHex(wRoot)} != header`);

  const env = blockEnv(task);
  if (h.parentBeaconBlockRoot !== undefined) beaconRootCall(evm, env, h.parentBeaconBlockRoot, state);

  const { receipts, skipped, executedRaw, gasUsed, blobGasUsed } = txLoop(task, env, evm, state);
  for (const w of task.withdrawals ?? []) state.credit(w.address, w.amount * GWEI);

  // a receipt without logs has an empty bloom: nothing to merge
  const logsBloom = mergeBlooms(receipts.filter((r) => r.logs.length > 0).map((r) => r.logsBloom));
  const { root: rRoot, stored: receiptsRlp } = receiptsRootAndBlob(receipts);
  if (verify) {
    if (gasUsed !== h.gasUsed)
      reject(ErrorCode.BLOCK_GAS_USED_MISMATCH, `gas used ${gasUsed} != header ${h.gasUsed}`);
    if (h.blobGasUsed !== undefined && blobGasUsed !== h.blobGasUsed)
      reject(
        ErrorCode.BLOCK_BLOB_GAS_USED_MISMATCH,
        `blob gas used ${blobGasUsed} != header ${h.blobGasUsed}`,
      );
    if (!equalBytes(logsBloom, h.logsBloom))
      reject(ErrorCode.BLOCK_LOGS_BLOOM, "logs bloom differs from the header");
    if (!equalBytes(rRoot, h.receiptsRoot))
      reject(
        ErrorCode.BLOCK_RECEIPTS_ROOT,
        `receipts root ${bytesToHex(rRoot)} != header ${bytesToHex(h.receiptsRoot)}`,
      );
  }
  return {
    skipped,
    receipts,
    gasUsed,
    blobGasUsed,
    logsBloom,
    receiptsRoot: rRoot,
    receiptsRlp,
    transactionsRoot: txRoot ?? transactionsRoot(executedRaw),
    withdrawalsRoot: wRoot,
    writes: state.writes(),
  };
}
