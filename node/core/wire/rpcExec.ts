/**
 * Messages of the execute pool's RPC tasks (ARCHITECTURE §4): the public JSON-RPC state and execution
 * methods send one of these to a worker, which reads the state of one stored block — the flat tables when
 * that block is still the head, otherwise the state trie at its root (trie nodes are never pruned) — and
 * answers with plain data. `eth_call`, `eth_estimateGas` and `eth_createAccessList` run the WASM EVM there;
 * historical reads and `eth_getProof` walk the trie there. Failures come back as data (`ok: false`).
 */
import type { ErrorObject } from "../errors.ts";

/** Which state: the block (flat state if it is still the head when the worker reads) and its state root. */
export interface StateRef {
  /** the datadir whose LMDB environment the worker reads (opened read-only, cached per worker) */
  readonly datadir: string;
  readonly blockHash: Uint8Array;
  readonly stateRoot: Uint8Array;
}

/** The block context a call runs in (the block's header, after any block overrides). */
export interface CallBlock {
  readonly coinbase: Uint8Array;
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  readonly prevRandao: Uint8Array;
  readonly baseFee: bigint;
  readonly blobBaseFee: bigint;
  readonly chainId: bigint;
}

export interface CallAccessListEntry {
  readonly address: Uint8Array;
  readonly storageKeys: readonly Uint8Array[];
}

/** A call message as geth's TransactionArgs after parsing (null = not given). */
export interface CallMsg {
  readonly from: Uint8Array;
  /** null = contract creation */
  readonly to: Uint8Array | null;
  readonly gas: bigint | null;
  readonly gasPrice: bigint | null;
  readonly maxFeePerGas: bigint | null;
  readonly maxPriorityFeePerGas: bigint | null;
  readonly maxFeePerBlobGas: bigint | null;
  readonly value: bigint;
  readonly data: Uint8Array;
  readonly nonce: bigint | null;
  readonly accessList: readonly CallAccessListEntry[] | null;
  readonly blobVersionedHashes: readonly Uint8Array[] | null;
}

/** geth's state override of one account; `state` replaces all storage, `stateDiff` changes single slots. */
export interface AccountOverride {
  readonly address: Uint8Array;
  readonly balance?: bigint;
  readonly nonce?: bigint;
  readonly code?: Uint8Array;
  readonly state?: readonly (readonly [Uint8Array, bigint])[];
  readonly stateDiff?: readonly (readonly [Uint8Array, bigint])[];
}

export interface ReadTask {
  readonly rpc: "read";
  readonly at: StateRef;
  readonly address: Uint8Array;
  readonly slots: readonly Uint8Array[];
  readonly code: boolean;
}

export interface ProofTask {
  readonly rpc: "proof";
  readonly at: StateRef;
  readonly address: Uint8Array;
  /** 32-byte slots */
  readonly slots: readonly Uint8Array[];
}

export interface CallTask {
  /** "call": one run; "estimate": geth's gas search; "accessList": geth's access-list fixpoint */
  readonly rpc: "call" | "estimate" | "accessList";
  readonly at: StateRef;
  readonly block: CallBlock;
  readonly msg: CallMsg;
  readonly overrides: readonly AccountOverride[];
  /** `--rpc.gascap` (0 = none) */
  readonly gasCap: bigint;
}

export type RpcExecTask = ReadTask | ProofTask | CallTask;

export interface AccountFields {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly storageRoot: Uint8Array;
  readonly codeHash: Uint8Array;
}

export interface ReadResult {
  readonly ok: true;
  readonly rpc: "read";
  readonly account: AccountFields | null;
  readonly slots: readonly bigint[];
  readonly code: Uint8Array | null;
}

export interface ProofResult {
  readonly ok: true;
  readonly rpc: "proof";
  readonly account: AccountFields | null;
  readonly accountProof: readonly Uint8Array[];
  readonly storage: readonly { readonly value: bigint; readonly proof: readonly Uint8Array[] }[];
}

/** One EVM run: `vmError` is geth's message for a failed run ("execution reverted", "out of gas", …). */
export interface CallResult {
  readonly ok: true;
  readonly rpc: "call";
  readonly output: Uint8Array;
  readonly gasUsed: bigint;
  readonly reverted: boolean;
  readonly vmError: string | null;
}

export interface EstimateResult {
  readonly ok: true;
  readonly rpc: "estimate";
  readonly gas: bigint;
}

export interface AccessListResult {
  readonly ok: true;
  readonly rpc: "accessList";
  readonly accessList: readonly CallAccessListEntry[];
  readonly gasUsed: bigint;
  readonly vmError: string | null;
}

/** A refused task: a typed error; `revert` holds the revert data when the failure is a revert (code 3). */
export interface RpcExecFailure {
  readonly ok: false;
  readonly error: ErrorObject;
  readonly revert?: Uint8Array;
}

export type RpcExecResult =
  | ReadResult
  | ProofResult
  | CallResult
  | EstimateResult
  | AccessListResult
  | RpcExecFailure;
