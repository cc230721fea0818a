/**
 * The state transition around the WASM EVM: static and stateful validity checks of a transaction (nonce,
 * EIP-3607 sender code, fee caps, balance, intrinsic gas, initcode and blob limits), then the numbers the
 * module applies (effective price and tip, upfront debit including the blob fee). Invalid transactions
 * throw FastEvmError TX_* and must not be executed.
 */

import type { AccessListEntry, BlockEnv, EvmHost, EvmTx } from "../../wasm/bindings/evmTypes.ts";
import { equalBytes } from "../core/bytes.ts";
import { GAS_PER_BLOB } from "../core/chain/params.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { intrinsicGasOf, MAX_INITCODE_SIZE } from "../core/tx/intrinsicGas.ts";
import { MAX_BLOBS_PER_TX } from "../core/tx/validate.ts";
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

/** Checks the transaction against the block and the sender's state; returns what the module executes. */
export function prepareTransaction(tx: TxFields, block: BlockFees, host: EvmHost): EvmTx {
  const { env } = block;
  const isCreate = tx.to === null;
  const isBlob = tx.blobVersionedHashes !== undefined;
  if (tx.gasLimit > U64_MAX || tx.nonce > U64_MAX || tx.value > U256_MAX)
    invalid(ErrorCode.TX_INVALID_FIELD, "field out of range");
  if (tx.gasLimit > block.gasAvailable)
    invalid(ErrorCode.TX_INVALID_FIELD, "gas limit exceeds block gas limit");
  if (isCreate && tx.data.length > MAX_INITCODE_SIZE)
    invalid(ErrorCode.TX_INITCODE_TOO_LARGE, "initcode too large");
  const intrinsic = BigInt(intrinsicGasOf(tx.data, isCreate, tx.accessList));
  if (tx.gasLimit < intrinsic) invalid(ErrorCode.TX_INTRINSIC_GAS, "intrinsic gas too low");

  let maxPrice: bigint;
  let gasPrice: bigint;
  if (tx.maxFeePerGas !== undefined) {
    const tipCap = tx.maxPriorityFeePerGas ?? 0n;
    if (tx.maxFeePerGas > U256_MAX || tipCap > U256_MAX)
      invalid(ErrorCode.TX_INVALID_FIELD, "fee out of range");
    if (tipCap > tx.maxFeePerGas) invalid(ErrorCode.TX_INVALID_FIELD, "max priority fee exceeds max fee");
    if (tx.maxFeePerGas < env.baseFee) invalid(ErrorCode.TX_INVALID_FIELD, "max fee below base fee");
    maxPrice = tx.maxFeePerGas;
    gasPrice = tx.maxFeePerGas < env.baseFee + tipCap ? tx.maxFeePerGas : env.baseFee + tipCap;
  } else {
    gasPrice = tx.gasPrice ?? 0n;
    if (gasPrice > U256_MAX) invalid(ErrorCode.TX_INVALID_FIELD, "gas price out of range");
    if (gasPrice < env.baseFee) invalid(ErrorCode.TX_INVALID_FIELD, "gas price below base fee");
    maxPrice = gasPrice;
  }

  let blobFee = 0n;
  let maxBlobFee = 0n;
  if (isBlob) {
    const hashes = tx.blobVersionedHashes ?? [];
    if (isCreate) invalid(ErrorCode.TX_INVALID_FIELD, "blob transaction cannot create");
    if (hashes.length === 0 || hashes.length > MAX_BLOBS_PER_TX)
      invalid(ErrorCode.TX_INVALID_FIELD, "invalid blob count");
    for (const h of hashes)
      if (h.length !== 32 || h[0] !== 0x01) invalid(ErrorCode.TX_INVALID_FIELD, "bad blob hash version");
    const perBlobGas = tx.maxFeePerBlobGas ?? 0n;
    if (perBlobGas < env.blobBaseFee)
      invalid(ErrorCode.TX_INVALID_FIELD, "max fee per blob gas below blob base fee");
    const blobGas = GAS_PER_BLOB * BigInt(hashes.length);
    blobFee = blobGas * env.blobBaseFee;
    maxBlobFee = blobGas * perBlobGas;
  }

  const acc = host.account(tx.sender);
  const nonce = acc?.nonce ?? 0n;
  const balance = acc?.balance ?? 0n;
  if (block.skipAccountChecks !== true) {
    if (acc !== undefined && !equalBytes(acc.codeHash, EMPTY_CODE_HASH))
      invalid(ErrorCode.TX_INVALID_FIELD, "sender has code (EIP-3607)");
    if (nonce !== tx.nonce)
      invalid(ErrorCode.TX_INVALID_FIELD, `nonce ${tx.nonce} != account nonce ${nonce}`);
    if (nonce >= U64_MAX) invalid(ErrorCode.TX_INVALID_FIELD, "sender nonce at maximum");
  }
  if (balance < tx.gasLimit * maxPrice + tx.value + maxBlobFee)
    invalid(ErrorCode.TX_INVALID_FIELD, "insufficient funds");

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
