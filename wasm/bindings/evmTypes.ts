/**
 * Plain-data types of one WASM EVM call: the block environment, the transaction as the module runs it
 * (intrinsic gas and fees already decided by the state transition in `node/evm/`), the host that answers
 * state misses, and the result with its compact write-set. Layout of the bytes: `wasm/include/evm.h`.
 */

/** Status codes of `fastevm_execute` (enum fastevm_status in evm.h). */
export const EvmStatus = {
  SUCCESS: 0,
  REVERT: 1,
  OUT_OF_GAS: 2,
  INVALID_INSTRUCTION: 3,
  UNDEFINED_INSTRUCTION: 4,
  STACK_OVERFLOW: 5,
  STACK_UNDERFLOW: 6,
  BAD_JUMP_DESTINATION: 7,
  INVALID_MEMORY_ACCESS: 8,
  STATIC_MODE_VIOLATION: 9,
  PRECOMPILE_FAILURE: 10,
  CONTRACT_VALIDATION_FAILURE: 11,
  CREATE_COLLISION: 12,
  CALL_DEPTH_EXCEEDED: 13,
  INSUFFICIENT_BALANCE: 14,
  INTERNAL_ERROR: 100,
} as const;
export type EvmStatus = (typeof EvmStatus)[keyof typeof EvmStatus];

export interface BlockEnv {
  readonly coinbase: Uint8Array;
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  readonly prevRandao: Uint8Array;
  readonly baseFee: bigint;
  readonly blobBaseFee: bigint;
  readonly chainId: bigint;
}

export interface AccessListEntry {
  readonly address: Uint8Array;
  readonly storageKeys: readonly Uint8Array[];
}

/** A validated transaction as the module executes it. */
export interface EvmTx {
  readonly sender: Uint8Array;
  /** null = contract creation */
  readonly to: Uint8Array | null;
  readonly value: bigint;
  readonly gasLimit: bigint;
  readonly intrinsicGas: bigint;
  /** effective gas price (refunds are paid at this price) */
  readonly gasPrice: bigint;
  /** effective priority fee per gas (paid to the coinbase) */
  readonly priorityFee: bigint;
  /** debited from the sender before execution: gasLimit × gasPrice + blob fee */
  readonly upfrontCost: bigint;
  readonly data: Uint8Array;
  readonly accessList: readonly AccessListEntry[];
  readonly blobHashes: readonly Uint8Array[];
}

export interface HostAccount {
  readonly balance: bigint;
  readonly nonce: bigint;
  readonly codeHash: Uint8Array;
  readonly hasStorage: boolean;
}

/** Synchronous answers to state misses; addresses are 20 bytes, keys and values 32 bytes. */
export interface EvmHost {
  account(address: Uint8Array): HostAccount | undefined;
  storage(address: Uint8Array, key: Uint8Array): bigint;
  code(address: Uint8Array): Uint8Array;
  blockHash(number: bigint): Uint8Array;
}

export interface EvmLog {
  readonly address: Uint8Array;
  readonly topics: Uint8Array[];
  readonly data: Uint8Array;
}

export interface AccountChange {
  readonly address: Uint8Array;
  /** selfdestructed (EIP-6780) or touched while empty (EIP-161): remove the account */
  readonly deleted: boolean;
  /** created in this transaction: its storage starts empty */
  readonly created: boolean;
  readonly balance: bigint;
  readonly nonce: bigint;
  /** new code if set in this transaction */
  readonly code: Uint8Array | null;
  /** changed slots: key → new value (0n = cleared) */
  readonly storage: { readonly key: Uint8Array; readonly value: bigint }[];
}

export interface EvmResult {
  readonly status: EvmStatus;
  /** gas used after the refund */
  readonly gasUsed: bigint;
  readonly gasRefund: bigint;
  readonly createdAddress: Uint8Array | null;
  readonly output: Uint8Array;
  readonly logs: EvmLog[];
  readonly changes: AccountChange[];
}

/** One transaction of a block run (`WasmEvm.executeBlock`): what the module executes and what it checks. */
export interface BlockRunTx {
  readonly tx: EvmTx;
  /** the transaction's nonce (compared with the sender's) */
  readonly nonce: bigint;
  /** gasLimit × max price + value + max blob fee: the balance the sender needs */
  readonly maxCost: bigint;
  readonly blobGas: bigint;
  /** the caller found it invalid by its stateless rules / by its fee caps against the block's base fees */
  readonly precheck: boolean;
  readonly feeCheck: boolean;
}

/** A transaction's outcome in a block run: executed (`check` 0), else why not (evm.h fastevm_tx_reason). */
export interface TxRecord {
  readonly check: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  readonly status: EvmStatus;
  /** after the refund */
  readonly gasUsed: bigint;
  readonly logs: EvmLog[];
  /** of a failed check: blob gas used, gas left, the account's nonce or its balance */
  readonly detail: bigint;
}

export interface BlockRun {
  /** one per transaction up to the last one looked at (a failed check ends a verify run) */
  readonly records: TxRecord[];
  readonly gasUsed: bigint;
  readonly blobGasUsed: bigint;
  /** the block's write-set (empty when a verify run ended on a failed check) */
  readonly changes: AccountChange[];
}
