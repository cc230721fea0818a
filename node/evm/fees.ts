/** Fee arithmetic of Cancun: intrinsic gas (EIP-2028/2930/3860), effective gas price (EIP-1559), blob gas (EIP-4844). */

export const TX_GAS = 21000n;
export const TX_CREATE_GAS = 53000n;
export const TX_DATA_ZERO_GAS = 4n;
export const TX_DATA_NONZERO_GAS = 16n;
export const ACCESS_LIST_ADDRESS_GAS = 2400n;
export const ACCESS_LIST_KEY_GAS = 1900n;
export const INITCODE_WORD_GAS = 2n;
export const MAX_INITCODE_SIZE = 49152;
export const GAS_PER_BLOB = 131072n;
export const MAX_BLOBS_PER_BLOCK = 6;
export const MIN_BLOB_BASE_FEE = 1n;
export const BLOB_BASE_FEE_UPDATE_FRACTION = 3338477n;

export function intrinsicGas(
  data: Uint8Array,
  isCreate: boolean,
  accessList: readonly { readonly storageKeys: readonly unknown[] }[],
): bigint {
  let gas = isCreate ? TX_CREATE_GAS : TX_GAS;
  let zeros = 0n;
  for (const b of data) if (b === 0) zeros++;
  gas += zeros * TX_DATA_ZERO_GAS + (BigInt(data.length) - zeros) * TX_DATA_NONZERO_GAS;
  if (isCreate) gas += INITCODE_WORD_GAS * ((BigInt(data.length) + 31n) / 32n);
  for (const e of accessList)
    gas += ACCESS_LIST_ADDRESS_GAS + ACCESS_LIST_KEY_GAS * BigInt(e.storageKeys.length);
  return gas;
}

/** `fake_exponential` of EIP-4844: factor × e^(numerator/denominator) in integers. */
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

export function blobBaseFee(excessBlobGas: bigint): bigint {
  return fakeExponential(MIN_BLOB_BASE_FEE, excessBlobGas, BLOB_BASE_FEE_UPDATE_FRACTION);
}
