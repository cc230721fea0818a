/**
 * Intrinsic gas (Cancun): the gas charged before any EVM execution, which the gas limit must cover.
 *   21000 base (53000 for contract creation, Homestead)
 *   + 4 per zero / 16 per non-zero calldata byte (EIP-2028)
 *   + 2400 per access-list address and 1900 per storage key (EIP-2930)
 *   + 2 per 32-byte word of initcode for creation (EIP-3860)
 */
import type { Transaction } from "./types.ts";

export const TX_GAS = 21000;
export const TX_GAS_CONTRACT_CREATION = 53000;
export const TX_DATA_ZERO_GAS = 4;
export const TX_DATA_NON_ZERO_GAS = 16;
export const ACCESS_LIST_ADDRESS_GAS = 2400;
export const ACCESS_LIST_STORAGE_KEY_GAS = 1900;
export const INITCODE_WORD_GAS = 2;
/** EIP-3860: initcode above 2 * 24576 bytes makes a creation transaction invalid. */
export const MAX_INITCODE_SIZE = 49152;

/**
 * Intrinsic gas from a transaction's parts: 21000 (53000 for a creation), EIP-2028 calldata, EIP-3860
 * initcode words, EIP-2930 access list. The state transition uses it on fields it has already unpacked.
 */
export function intrinsicGasOf(
  data: Uint8Array,
  isCreate: boolean,
  accessList: readonly { readonly storageKeys: readonly unknown[] }[],
): number {
  let gas = isCreate ? TX_GAS_CONTRACT_CREATION : TX_GAS;
  let zeros = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++;
  gas += zeros * TX_DATA_ZERO_GAS + (data.length - zeros) * TX_DATA_NON_ZERO_GAS;
  if (isCreate) gas += Math.ceil(data.length / 32) * INITCODE_WORD_GAS;
  for (const entry of accessList) {
    gas += ACCESS_LIST_ADDRESS_GAS + entry.storageKeys.length * ACCESS_LIST_STORAGE_KEY_GAS;
  }
  return gas;
}

export function intrinsicGas(tx: Transaction): number {
  return intrinsicGasOf(tx.data, tx.to === null, tx.type === 0 ? [] : tx.accessList);
}
