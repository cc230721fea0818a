/**
 * Per-block fee arithmetic of London and Cancun: the EIP-1559 base fee, EIP-4844 excess blob gas and blob
 * base fee. Header validation, payload building and the state transition all take them from here.
 */
import {
  BASE_FEE_MAX_CHANGE_DENOMINATOR,
  BLOB_BASE_FEE_UPDATE_FRACTION,
  ELASTICITY_MULTIPLIER,
  INITIAL_BASE_FEE,
  MIN_BLOB_BASE_FEE,
  TARGET_BLOB_GAS_PER_BLOCK,
} from "./params.ts";

/** The parent fields the base fee depends on. */
export interface BaseFeeParent {
  readonly gasLimit: bigint;
  readonly gasUsed: bigint;
  readonly baseFeePerGas?: bigint;
}

/**
 * EIP-1559 base fee of the child of `parent`. A parent without a base fee is the last pre-London block:
 * the first London block starts at INITIAL_BASE_FEE.
 */
export function calcBaseFee(parent: BaseFeeParent): bigint {
  const parentBaseFee = parent.baseFeePerGas;
  if (parentBaseFee === undefined) return INITIAL_BASE_FEE;
  const target = parent.gasLimit / ELASTICITY_MULTIPLIER;
  if (parent.gasUsed === target) return parentBaseFee;
  if (parent.gasUsed > target) {
    const delta = (parentBaseFee * (parent.gasUsed - target)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
    return parentBaseFee + (delta > 1n ? delta : 1n);
  }
  const delta = (parentBaseFee * (target - parent.gasUsed)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR;
  return parentBaseFee > delta ? parentBaseFee - delta : 0n;
}

/** EIP-4844: excess blob gas of the child; a pre-Cancun parent counts as zero for both fields. */
export function calcExcessBlobGas(parent: {
  readonly excessBlobGas?: bigint;
  readonly blobGasUsed?: bigint;
}): bigint {
  const sum = (parent.excessBlobGas ?? 0n) + (parent.blobGasUsed ?? 0n);
  return sum < TARGET_BLOB_GAS_PER_BLOCK ? 0n : sum - TARGET_BLOB_GAS_PER_BLOCK;
}

/** EIP-4844 `fake_exponential`: factor × e^(numerator / denominator), in integers, as the EIP defines it. */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n;
  let output = 0n;
  let acc = factor * denominator;
  while (acc > 0n) {
    output += acc;
    acc = (acc * numerator) / (denominator * i);
    i++;
  }
  return output / denominator;
}

/** EIP-4844: price of one unit of blob gas for a block with this excess blob gas. */
export function blobBaseFee(excessBlobGas: bigint): bigint {
  return fakeExponential(MIN_BLOB_BASE_FEE, excessBlobGas, BLOB_BASE_FEE_UPDATE_FRACTION);
}
