/**
 * Transaction models (Cancun): legacy (with and without EIP-155), EIP-2930 access-list, EIP-1559 fee-market
 * and EIP-4844 blob transactions, as plain data so they survive a structured clone between threads.
 *
 * Every integer is a bigint: nonce and gas limit are uint64 on the wire (and the conformance fixtures hold
 * valid transactions with both above 2^53), amounts, fees and signature values are uint256. Byte fields decoded from the wire are views into the input buffer (no copies):
 * do not mutate or reuse a buffer whose transactions are still alive.
 */

export const TxType = {
  Legacy: 0,
  AccessList: 1,
  FeeMarket: 2,
  Blob: 3,
} as const;
export type TxType = (typeof TxType)[keyof typeof TxType];

/** EIP-2930 entry: an address and the storage keys (32 bytes each) to pre-warm. */
export interface AccessListItem {
  readonly address: Uint8Array;
  readonly storageKeys: readonly Uint8Array[];
}
export type AccessList = readonly AccessListItem[];

interface TxCommon {
  readonly nonce: bigint;
  readonly gasLimit: bigint;
  /** 20-byte recipient, or null for contract creation */
  readonly to: Uint8Array | null;
  readonly value: bigint;
  readonly data: Uint8Array;
  readonly r: bigint;
  readonly s: bigint;
}

export interface LegacyTx extends TxCommon {
  readonly type: 0;
  readonly gasPrice: bigint;
  /** 27/28 (unprotected) or chainId * 2 + 35/36 (EIP-155) */
  readonly v: bigint;
  /** derived from v: null for a pre-EIP-155 (unprotected) signature */
  readonly chainId: bigint | null;
}

export interface AccessListTx extends TxCommon {
  readonly type: 1;
  readonly chainId: bigint;
  readonly gasPrice: bigint;
  readonly accessList: AccessList;
  readonly yParity: 0 | 1;
}

export interface FeeMarketTx extends TxCommon {
  readonly type: 2;
  readonly chainId: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly maxFeePerGas: bigint;
  readonly accessList: AccessList;
  readonly yParity: 0 | 1;
}

export interface BlobTx extends TxCommon {
  readonly type: 3;
  readonly chainId: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly maxFeePerGas: bigint;
  readonly accessList: AccessList;
  /** a blob transaction cannot create a contract (EIP-4844) */
  readonly to: Uint8Array;
  readonly maxFeePerBlobGas: bigint;
  /** 32-byte versioned hashes (version byte 0x01 then sha256(commitment)[1..]) */
  readonly blobVersionedHashes: readonly Uint8Array[];
  readonly yParity: 0 | 1;
}

export type Transaction = LegacyTx | AccessListTx | FeeMarketTx | BlobTx;
export type TypedTransaction = AccessListTx | FeeMarketTx | BlobTx;

/** EIP-4844 network wrapper contents (not part of the block; gossiped and held by the pool only). */
export interface BlobSidecar {
  /** 131072-byte blobs */
  readonly blobs: readonly Uint8Array[];
  /** 48-byte KZG commitments */
  readonly commitments: readonly Uint8Array[];
  /** 48-byte KZG proofs */
  readonly proofs: readonly Uint8Array[];
}

/** The fee cap a transaction offers per gas: gasPrice for legacy/2930, maxFeePerGas otherwise. */
export function feeCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxFeePerGas;
}

/** The priority fee cap per gas: gasPrice for legacy/2930, maxPriorityFeePerGas otherwise. */
export function tipCap(tx: Transaction): bigint {
  return tx.type === 0 || tx.type === 1 ? tx.gasPrice : tx.maxPriorityFeePerGas;
}

/** Recovery id (parity of R.y) of any transaction's signature: yParity, or derived from legacy v. */
export function recoveryId(tx: Transaction): number {
  if (tx.type !== 0) return tx.yParity;
  return tx.chainId === null ? Number(tx.v - 27n) : Number(tx.v - 35n - tx.chainId * 2n);
}
