/**
 * Stateless validity checks a client makes before executing or pooling a transaction (the part of geth's
 * `ValidateTransaction` that needs no state): each failure has its own TX_* code. Stateful checks
 * (nonce, balance, base fee, blob base fee) belong to execution and the txpool.
 */
import { ErrorCode, FastEvmError } from "../errors.ts";
import { intrinsicGas, MAX_INITCODE_SIZE } from "./intrinsicGas.ts";
import { checkSignatureValues } from "./sender.ts";
import { feeCap, type Transaction, tipCap } from "./types.ts";

const MAX_UINT256 = (1n << 256n) - 1n;
/** EIP-2681: the nonce must stay below 2^64 - 1 so that incrementing it cannot overflow. */
const MAX_NONCE = (1n << 64n) - 1n;
const MAX_UINT64 = (1n << 64n) - 1n;
/** EIP-4844 (Cancun): at most 6 blobs per block, hence per transaction. */
export const MAX_BLOBS_PER_TX = 6;
export const BLOB_VERSION_KZG = 0x01;

export interface ValidationRules {
  /** the chain's id: replay-protected transactions must carry it */
  readonly chainId: bigint;
  /** accept legacy transactions without EIP-155 replay protection (valid in blocks; default true) */
  readonly allowUnprotected?: boolean;
}

function invalid(code: ErrorCode, message: string): never {
  throw new FastEvmError(code, `invalid transaction: ${message}`);
}

function checkUint256(v: bigint, what: string): void {
  if (v < 0n || v > MAX_UINT256) invalid(ErrorCode.TX_FIELD_OVERFLOW, `${what} does not fit in 256 bits`);
}

function checkFields(tx: Transaction): void {
  if (tx.nonce < 0n || tx.nonce >= MAX_NONCE)
    invalid(ErrorCode.TX_NONCE_OVERFLOW, "nonce must be below 2^64 - 1 (EIP-2681)");
  if (tx.gasLimit < 0n || tx.gasLimit > MAX_UINT64)
    invalid(ErrorCode.TX_GAS_LIMIT_OVERFLOW, "gas limit must fit in 64 bits");
  if (tx.to !== null && tx.to.length !== 20) invalid(ErrorCode.TX_INVALID_ADDRESS, "'to' must be 20 bytes");
  checkUint256(tx.value, "value");
  checkUint256(feeCap(tx), "fee cap");
  checkUint256(tipCap(tx), "priority fee");
  if (tx.chainId !== null) checkUint256(tx.chainId, "chain id");
  if (tx.type === 3) checkUint256(tx.maxFeePerBlobGas, "maxFeePerBlobGas");
}

function checkBlobs(tx: Transaction): void {
  if (tx.type !== 3) return;
  if ((tx.to as Uint8Array | null) === null)
    invalid(ErrorCode.TX_BLOB_CREATE, "blob transaction cannot create a contract");
  const n = tx.blobVersionedHashes.length;
  if (n === 0) invalid(ErrorCode.TX_BLOB_HASHES_EMPTY, "blob transaction must carry at least one blob hash");
  if (n > MAX_BLOBS_PER_TX)
    invalid(ErrorCode.TX_TOO_MANY_BLOBS, `${n} blobs exceed the limit of ${MAX_BLOBS_PER_TX}`);
  for (const h of tx.blobVersionedHashes) {
    if (h.length !== 32 || h[0] !== BLOB_VERSION_KZG) {
      invalid(ErrorCode.TX_BLOB_HASH_VERSION, "blob versioned hash must be 32 bytes with version byte 0x01");
    }
  }
}

/**
 * Throws the first failed rule, in geth's order: field ranges, initcode size, fee caps, gas-cost overflow,
 * chain id, signature values, intrinsic gas, blob rules. Returns the intrinsic gas on success (execution needs it).
 */
export function validateTransaction(tx: Transaction, rules: ValidationRules): number {
  checkFields(tx);
  if (tx.to === null && tx.data.length > MAX_INITCODE_SIZE) {
    invalid(
      ErrorCode.TX_INITCODE_TOO_LARGE,
      `initcode of ${tx.data.length} bytes exceeds ${MAX_INITCODE_SIZE} (EIP-3860)`,
    );
  }
  const cap = feeCap(tx);
  if (tipCap(tx) > cap) invalid(ErrorCode.TX_TIP_ABOVE_FEE_CAP, "maxPriorityFeePerGas exceeds maxFeePerGas");
  if (tx.gasLimit * cap > MAX_UINT256)
    invalid(ErrorCode.TX_GAS_COST_OVERFLOW, "gasLimit * fee cap exceeds 2^256 - 1");
  if (tx.chainId === null) {
    if (rules.allowUnprotected === false)
      invalid(ErrorCode.TX_CHAIN_ID, "transaction is not replay-protected (EIP-155)");
  } else if (tx.chainId !== rules.chainId) {
    invalid(ErrorCode.TX_CHAIN_ID, `chain id ${tx.chainId} does not match ${rules.chainId}`);
  }
  checkSignatureValues(tx);
  const gas = intrinsicGas(tx);
  if (tx.gasLimit < BigInt(gas))
    invalid(ErrorCode.TX_INTRINSIC_GAS, `gas limit ${tx.gasLimit} is below the intrinsic gas ${gas}`);
  checkBlobs(tx);
  return gas;
}
