/**
 * The state transition around the WASM EVM: the validity checks of a transaction, then the numbers the
 * module applies (effective price and tip, upfront debit including the blob fee). Invalid transactions
 * throw FastEvmError TX_* (each rule its own code) before anything is written, and must not be executed.
 *
 * Two kinds of checks:
 * - stateless ones (field ranges, EIP-3860 initcode size, intrinsic gas, tip above fee cap, blob shape), the
 *   rules `core/tx/validate.ts` applies to a signed transaction. A caller whose transaction passed
 *   `validateTransaction` (the recover worker, for every block and payload) passes its intrinsic gas in
 *   `TxFields.intrinsicGas`, and they are not run again. State tests carry unsigned fields that never went
 *   through validate, so without `intrinsicGas` they run here;
 * - checks against the block and the sender's state (block gas left, base fee, blob base fee, EIP-3607
 *   sender code, nonce, balance), always.
 */

import type { AccessListEntry, BlockEnv, EvmHost, EvmTx } from "../../wasm/bindings/evmTypes.ts";
import { equalBytes } from "../core/bytes.ts";
import { GAS_PER_BLOB } from "../core/chain/params.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { intrinsicGasOf, MAX_INITCODE_SIZE } from "../core/tx/intrinsicGas.ts";
import { BLOB_VERSION_KZG, MAX_BLOBS_PER_TX } from "../core/tx/validate.ts";
import { EMPTY_CODE_HASH } from "../state/account.ts";

const U64_MAX = (1n << 64n) - 1n;
const U256_MAX = (1n << 256n) - 1n;

/** A signed transaction's fields after sender recovery (any type 0–3). */
export interface TxFields {
  readonly sender: Uint8Array;
  readonly to: Uint8Array | null;
  readonly nonce: bigint;
  readonly value: bigint;
  readonly gasLimit: bigint;
  readonly data: Uint8Array;
  /** legacy / EIP-2930 */
  readonly gasPrice?: bigint;
  /** EIP-1559 / EIP-4844 */
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  readonly accessList: readonly AccessListEntry[];
  /** EIP-4844 (present = blob transaction) */
  readonly maxFeePerBlobGas?: bigint;
  readonly blobVersionedHashes?: readonly Uint8Array[];
  /**
   * The intrinsic gas `validateTransaction` returned for this transaction: present only when it passed
   * validate's stateless rules, which are then not checked again.
   */
  readonly intrinsicGas?: bigint;
}

export interface BlockFees {
  readonly env: BlockEnv;
  /** gas still available in the block */
  readonly gasAvailable: bigint;
  /**
   * Simulated calls (eth_call, eth_estimateGas): skip the sender's nonce and EIP-3607 code checks, as geth's
   * `SkipNonceChecks` / `SkipFromEOACheck` do; every other check still applies.
   */
  readonly skipAccountChecks?: boolean;
}

function invalid(code: ErrorCode, message: string): never {
  throw new FastEvmError(code, message);
}

/** validate.ts's stateless rules on unpacked fields (state tests); returns the intrinsic gas. */
function checkStateless(tx: TxFields): bigint {
  const isCreate = tx.to === null;
  if (tx.nonce > U64_MAX) invalid(ErrorCode.TX_NONCE_OVERFLOW, "nonce does not fit in 64 bits");
  if (tx.gasLimit > U64_MAX) invalid(ErrorCode.TX_GAS_LIMIT_OVERFLOW, "gas limit does not fit in 64 bits");
  if (tx.value > U256_MAX) invalid(ErrorCode.TX_FIELD_OVERFLOW, "value does not fit in 256 bits");
  if (isCreate && tx.data.length > MAX_INITCODE_SIZE)
    invalid(ErrorCode.TX_INITCODE_TOO_LARGE, "initcode too large");
  const intrinsic = BigInt(intrinsicGasOf(tx.data, isCreate, tx.accessList));
  if (tx.gasLimit < intrinsic) invalid(ErrorCode.TX_INTRINSIC_GAS, "intrinsic gas too low");
  if (tx.maxFeePerGas !== undefined) {
    const tipCap = tx.maxPriorityFeePerGas ?? 0n;
    if (tx.maxFeePerGas > U256_MAX || tipCap > U256_MAX)
      invalid(ErrorCode.TX_FIELD_OVERFLOW, "fee does not fit in 256 bits");
    if (tipCap > tx.maxFeePerGas) invalid(ErrorCode.TX_TIP_ABOVE_FEE_CAP, "max priority fee exceeds max fee");
  } else if ((tx.gasPrice ?? 0n) > U256_MAX)
    invalid(ErrorCode.TX_FIELD_OVERFLOW, "gas price does not fit in 256 bits");
  const hashes = tx.blobVersionedHashes;
  if (hashes !== undefined) {
    if (isCreate) invalid(ErrorCode.TX_BLOB_CREATE, "blob transaction cannot create");
    if (hashes.length === 0) invalid(ErrorCode.TX_BLOB_HASHES_EMPTY, "blob transaction without blobs");
    if (hashes.length > MAX_BLOBS_PER_TX) invalid(ErrorCode.TX_TOO_MANY_BLOBS, "too many blobs");
    for (const h of hashes)
      if (h.length !== 32 || h[0] !== BLOB_VERSION_KZG)
        invalid(ErrorCode.TX_BLOB_HASH_VERSION, "bad blob hash version");
  }
  return intrinsic;
}

/**
 * What a transaction costs in a block, and its verdicts that need no state: the stateless rules (checked
 * first) and the fee caps against the block's base fees (checked after the block's gas left). The rest of
 * the checks, `stateCheck`'s, need the sender's account; the in-WASM block loop runs them in the module in
 * the same order (wasm/include/evm.h).
 */
export interface TxPricing {
  readonly intrinsic: bigint;
  /** effective gas price, and the priority fee per gas paid to the coinbase (0n after a failed verdict) */
  readonly gasPrice: bigint;
  readonly priorityFee: bigint;
  /** gasLimit × gasPrice + blob fee, debited before execution */
  readonly upfrontCost: bigint;
  /** gasLimit × max price + value + max blob fee: the balance the sender needs */
  readonly maxCost: bigint;
  readonly blobGas: bigint;
  readonly statelessError?: FastEvmError;
  readonly feeError?: FastEvmError;
}

function feeError(tx: TxFields, env: BlockEnv): FastEvmError | undefined {
  if (tx.maxFeePerGas !== undefined) {
    if (tx.maxFeePerGas < env.baseFee)
      return new FastEvmError(
        ErrorCode.TX_FEE_CAP_BELOW_BASE_FEE,
        `max fee per gas ${tx.maxFeePerGas} below base fee ${env.baseFee}`,
      );
  } else if ((tx.gasPrice ?? 0n) < env.baseFee)
    return new FastEvmError(
      ErrorCode.TX_FEE_CAP_BELOW_BASE_FEE,
      `gas price ${tx.gasPrice ?? 0n} below base fee ${env.baseFee}`,
    );
  if (tx.blobVersionedHashes !== undefined && (tx.maxFeePerBlobGas ?? 0n) < env.blobBaseFee)
    return new FastEvmError(
      ErrorCode.TX_BLOB_FEE_CAP_TOO_LOW,
      `max fee per blob gas ${tx.maxFeePerBlobGas ?? 0n} below blob base fee ${env.blobBaseFee}`,
    );
  return undefined;
}

/** The transaction's costs and stateless verdicts in a block with environment `env`. */
export function priceTransaction(tx: TxFields, env: BlockEnv): TxPricing {
  let intrinsic = tx.intrinsicGas ?? 0n;
  let statelessError: FastEvmError | undefined;
  if (tx.intrinsicGas === undefined) {
    try {
      intrinsic = checkStateless(tx);
    } catch (e) {
      if (!(e instanceof FastEvmError)) throw e;
      statelessError = e;
    }
  }
  const blobGas =
    tx.blobVersionedHashes === undefined ? 0n : GAS_PER_BLOB * BigInt(tx.blobVersionedHashes.length);
  const fee = feeError(tx, env);
  let gasPrice = 0n;
  let priorityFee = 0n;
  let maxPrice = 0n;
  let upfrontCost = 0n;
  let maxBlobFee = 0n;
  if (fee === undefined && statelessError === undefined) {
    if (tx.maxFeePerGas !== undefined) {
      const tipCap = tx.maxPriorityFeePerGas ?? 0n;
      maxPrice = tx.maxFeePerGas;
      gasPrice = tx.maxFeePerGas < env.baseFee + tipCap ? tx.maxFeePerGas : env.baseFee + tipCap;
    } else {
      gasPrice = tx.gasPrice ?? 0n;
      maxPrice = gasPrice;
    }
    priorityFee = gasPrice - env.baseFee;
    maxBlobFee = blobGas * (tx.maxFeePerBlobGas ?? 0n);
    upfrontCost = tx.gasLimit * gasPrice + blobGas * env.blobBaseFee;
  }
  return {
    intrinsic,
    gasPrice,
    priorityFee,
    upfrontCost,
    maxCost: tx.gasLimit * maxPrice + tx.value + maxBlobFee,
    blobGas,
    ...(statelessError === undefined ? {} : { statelessError }),
    ...(fee === undefined ? {} : { feeError: fee }),
  };
}

/** Why a transaction is invalid against the block and the sender's state (the in-WASM loop's reasons). */
export const StateCheck = {
  OK: 0,
  BLOB_GAS_LIMIT: 1,
  STATELESS: 2,
  GAS_LIMIT: 3,
  FEE: 4,
  SENDER_NOT_EOA: 5,
  NONCE_TOO_LOW: 6,
  NONCE_TOO_HIGH: 7,
  NONCE_MAX: 8,
  INSUFFICIENT_FUNDS: 9,
} as const;
export type StateCheck = (typeof StateCheck)[keyof typeof StateCheck];

/**
 * The error of a failed check; `detail` is the number the check is about: the block's gas left, the account's
 * nonce or its balance. BLOB_GAS_LIMIT is the block's rule, not the transaction's: the caller reports it.
 */
export function stateCheckError(
  check: StateCheck,
  tx: TxFields,
  pricing: TxPricing,
  detail: bigint,
): FastEvmError {
  switch (check) {
    case StateCheck.STATELESS:
      return pricing.statelessError!;
    case StateCheck.FEE:
      return pricing.feeError!;
    case StateCheck.GAS_LIMIT:
      return new FastEvmError(
        ErrorCode.TX_GAS_LIMIT_EXCEEDS_BLOCK,
        `gas limit ${tx.gasLimit} exceeds the ${detail} gas left in the block`,
      );
    case StateCheck.SENDER_NOT_EOA:
      return new FastEvmError(ErrorCode.TX_SENDER_NOT_EOA, "sender has code (EIP-3607)");
    case StateCheck.NONCE_TOO_LOW:
      return new FastEvmError(ErrorCode.TX_NONCE_TOO_LOW, `nonce ${tx.nonce} below account nonce ${detail}`);
    case StateCheck.NONCE_TOO_HIGH:
      return new FastEvmError(ErrorCode.TX_NONCE_TOO_HIGH, `nonce ${tx.nonce} above account nonce ${detail}`);
    case StateCheck.NONCE_MAX:
      return new FastEvmError(ErrorCode.TX_NONCE_OVERFLOW, "sender nonce at maximum (EIP-2681)");
    case StateCheck.INSUFFICIENT_FUNDS:
      return new FastEvmError(
        ErrorCode.TX_INSUFFICIENT_FUNDS,
        `insufficient funds: balance ${detail}, cost ${pricing.maxCost}`,
      );
    default:
      return new FastEvmError(ErrorCode.INTERNAL, `no transaction error for state check ${check}`);
  }
}

/** Checks the transaction against the block and the sender's state; returns what the module executes. */
export function prepareTransaction(tx: TxFields, block: BlockFees, host: EvmHost): EvmTx {
  const { env } = block;
  const p = priceTransaction(tx, env);
  const fail = (check: StateCheck, detail = 0n): never => {
    throw stateCheckError(check, tx, p, detail);
  };
  if (p.statelessError !== undefined) fail(StateCheck.STATELESS);
  if (tx.gasLimit > block.gasAvailable) fail(StateCheck.GAS_LIMIT, block.gasAvailable);
  if (p.feeError !== undefined) fail(StateCheck.FEE);
  const acc = host.account(tx.sender);
  const nonce = acc?.nonce ?? 0n;
  const balance = acc?.balance ?? 0n;
  if (block.skipAccountChecks !== true) {
    if (acc !== undefined && !equalBytes(acc.codeHash, EMPTY_CODE_HASH)) fail(StateCheck.SENDER_NOT_EOA);
    if (tx.nonce < nonce) fail(StateCheck.NONCE_TOO_LOW, nonce);
    if (tx.nonce > nonce) fail(StateCheck.NONCE_TOO_HIGH, nonce);
    if (nonce >= U64_MAX) fail(StateCheck.NONCE_MAX);
  }
  if (balance < p.maxCost) fail(StateCheck.INSUFFICIENT_FUNDS, balance);

  return {
    sender: tx.sender,
    to: tx.to,
    value: tx.value,
    gasLimit: tx.gasLimit,
    intrinsicGas: p.intrinsic,
    gasPrice: p.gasPrice,
    priorityFee: p.priorityFee,
    upfrontCost: p.upfrontCost,
    data: tx.data,
    accessList: tx.accessList,
    blobHashes: tx.blobVersionedHashes ?? [],
  };
}
