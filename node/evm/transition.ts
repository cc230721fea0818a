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

/** Checks the transaction against the block and the sender's state; returns what the module executes. */
export function prepareTransaction(tx: TxFields, block: BlockFees, host: EvmHost): EvmTx {
  const { env } = block;
  const intrinsic = tx.intrinsicGas ?? checkStateless(tx);
  if (tx.gasLimit > block.gasAvailable)
    invalid(
      ErrorCode.TX_GAS_LIMIT_EXCEEDS_BLOCK,
      `gas limit ${tx.gasLimit} exceeds the ${block.gasAvailable} gas left in the block`,
    );

  let maxPrice: bigint;
  let gasPrice: bigint;
  if (tx.maxFeePerGas !== undefined) {
    const tipCap = tx.maxPriorityFeePerGas ?? 0n;
    if (tx.maxFeePerGas < env.baseFee)
      invalid(
        ErrorCode.TX_FEE_CAP_BELOW_BASE_FEE,
        `max fee per gas ${tx.maxFeePerGas} below base fee ${env.baseFee}`,
      );
    maxPrice = tx.maxFeePerGas;
    gasPrice = tx.maxFeePerGas < env.baseFee + tipCap ? tx.maxFeePerGas : env.baseFee + tipCap;
  } else {
    gasPrice = tx.gasPrice ?? 0n;
    if (gasPrice < env.baseFee)
      invalid(ErrorCode.TX_FEE_CAP_BELOW_BASE_FEE, `gas price ${gasPrice} below base fee ${env.baseFee}`);
    maxPrice = gasPrice;
  }

  let blobFee = 0n;
  let maxBlobFee = 0n;
  if (tx.blobVersionedHashes !== undefined) {
    const perBlobGas = tx.maxFeePerBlobGas ?? 0n;
    if (perBlobGas < env.blobBaseFee)
      invalid(
        ErrorCode.TX_BLOB_FEE_CAP_TOO_LOW,
        `max fee per blob gas ${perBlobGas} below blob base fee ${env.blobBaseFee}`,
      );
    const blobGas = GAS_PER_BLOB * BigInt(tx.blobVersionedHashes.length);
    blobFee = blobGas * env.blobBaseFee;
    maxBlobFee = blobGas * perBlobGas;
  }

  const acc = host.account(tx.sender);
  const nonce = acc?.nonce ?? 0n;
  const balance = acc?.balance ?? 0n;
  if (block.skipAccountChecks !== true) {
    if (acc !== undefined && !equalBytes(acc.codeHash, EMPTY_CODE_HASH))
      invalid(ErrorCode.TX_SENDER_NOT_EOA, "sender has code (EIP-3607)");
    if (tx.nonce < nonce)
      invalid(ErrorCode.TX_NONCE_TOO_LOW, `nonce ${tx.nonce} below account nonce ${nonce}`);
    if (tx.nonce > nonce)
      invalid(ErrorCode.TX_NONCE_TOO_HIGH, `nonce ${tx.nonce} above account nonce ${nonce}`);
    if (nonce >= U64_MAX) invalid(ErrorCode.TX_NONCE_OVERFLOW, "sender nonce at maximum (EIP-2681)");
  }
  const cost = tx.gasLimit * maxPrice + tx.value + maxBlobFee;
  if (balance < cost)
    invalid(ErrorCode.TX_INSUFFICIENT_FUNDS, `insufficient funds: balance ${balance}, cost ${cost}`);

  return {
    sender: tx.sender,
    to: tx.to,
    value: tx.value,
    gasLimit: tx.gasLimit,
    intrinsicGas: intrinsic,
    gasPrice,
    priorityFee: gasPrice - env.baseFee,
    upfrontCost: tx.gasLimit * gasPrice + blobFee,
    data: tx.data,
    accessList: tx.accessList,
    blobHashes: tx.blobVersionedHashes ?? [],
  };
}
