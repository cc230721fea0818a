/**
 * eth_call, eth_estimateGas and eth_createAccessList on the WASM EVM, as geth runs them: the message's fee
 * fields resolved like `TransactionArgs.ToMessage` (no fee fields = price 0 and the block's base fee taken as
 * 0), nonce and EIP-3607 checks skipped, every other transaction check kept; geth's gas estimator (plain
 * transfer shortcut, run at the cap, optimistic `(used + refund + 2300) · 64/63` try, then a binary search to
 * 1.5 %); the access list as the fixpoint of "run with the list, add what the run touched".
 */
import { equalBytes } from "../../node/core/bytes.ts";
import { GAS_PER_BLOB } from "../../node/core/chain/params.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../../node/core/errors.ts";
import { keccak256 } from "../../node/core/hash.ts";
import { bytesToHex } from "../../node/core/hex.ts";
import { encodeRlp } from "../../node/core/rlp.ts";
import { TX_GAS } from "../../node/core/tx/intrinsicGas.ts";
import type { CallAccessListEntry, CallTask } from "../../node/core/wire/rpcExec.ts";
import { prepareTransaction, type TxFields } from "../../node/evm/transition.ts";
import type { WasmEvm } from "../../wasm/bindings/evmModule.ts";
import type { BlockEnv, EvmResult } from "../../wasm/bindings/evmTypes.ts";
import { EvmStatus } from "../../wasm/bindings/evmTypes.ts";
import type { CallHost } from "./callState.ts";

/** geth's estimateGasErrorRatio: the search stops when (hi − lo) / hi falls below it. */
const ESTIMATE_ERROR_RATIO = 0.015;
const CALL_STIPEND = 2300n;
const U64_MAX = (1n << 64n) - 1n;
/** geth's gas for a call without `gas` when the cap is 0: MaxUint64 / 2 */
const UNCAPPED_GAS = U64_MAX / 2n;
/** access-list passes before giving up (geth loops until the list stops growing) */
const MAX_ACCESS_LIST_PASSES = 64;

/** geth's error text for each failed outcome (core/vm/errors.go). */
const VM_ERRORS: Record<number, string> = {
  [EvmStatus.REVERT]: "execution reverted",
  [EvmStatus.OUT_OF_GAS]: "out of gas",
  [EvmStatus.INVALID_INSTRUCTION]: "invalid opcode: INVALID",
  [EvmStatus.UNDEFINED_INSTRUCTION]: "invalid opcode",
  [EvmStatus.STACK_OVERFLOW]: "stack limit reached 1024 (1023)",
  [EvmStatus.STACK_UNDERFLOW]: "stack underflow",
  [EvmStatus.BAD_JUMP_DESTINATION]: "invalid jump destination",
  [EvmStatus.INVALID_MEMORY_ACCESS]: "return data out of bounds",
  [EvmStatus.STATIC_MODE_VIOLATION]: "write protection",
  [EvmStatus.PRECOMPILE_FAILURE]: "precompiled contract failed",
  [EvmStatus.CONTRACT_VALIDATION_FAILURE]: "invalid code: must not begin with 0xef",
  [EvmStatus.CREATE_COLLISION]: "contract address collision",
  [EvmStatus.CALL_DEPTH_EXCEEDED]: "max call depth exceeded",
  [EvmStatus.INSUFFICIENT_BALANCE]: "insufficient balance for transfer",
};

export function vmError(r: EvmResult): string | null {
  return r.status === EvmStatus.SUCCESS ? null : (VM_ERRORS[r.status] ?? `EVM status ${r.status}`);
}

/** The gas a call runs with (geth CallDefaults): `gas` or the cap, never above the cap. */
export function callGas(task: CallTask): bigint {
  const cap = task.gasCap;
  let gas = task.msg.gas ?? (cap === 0n ? UNCAPPED_GAS : cap);
  if (cap !== 0n && gas > cap) gas = cap;
  return gas;
}

/** The fee cap geth's estimator divides the balance by: gasPrice, else maxFeePerGas, else 0. */
function feeCap(task: CallTask): bigint {
  return task.msg.gasPrice ?? task.msg.maxFeePerGas ?? 0n;
}

function priceIsZero(task: CallTask): boolean {
  const m = task.msg;
  if (m.gasPrice !== null) return m.gasPrice === 0n;
  return (m.maxFeePerGas ?? 0n) === 0n && (m.maxPriorityFeePerGas ?? 0n) === 0n;
}

function blockEnv(task: CallTask): BlockEnv {
  const b = task.block;
  const blobFeeZero = task.msg.maxFeePerBlobGas === null || task.msg.maxFeePerBlobGas === 0n;
  return {
    coinbase: b.coinbase,
    number: b.number,
    timestamp: b.timestamp,
    gasLimit: b.gasLimit,
    prevRandao: b.prevRandao,
    // geth: "lower the basefee to 0 to avoid breaking EVM invariants (basefee < feecap)"
    baseFee: priceIsZero(task) ? 0n : b.baseFee,
    blobBaseFee: blobFeeZero ? 0n : b.blobBaseFee,
    chainId: b.chainId,
  };
}

function txFields(task: CallTask, host: CallHost, gas: bigint, accessList: readonly CallAccessListEntry[]) {
  const m = task.msg;
  const base = {
    sender: m.from,
    to: m.to,
    nonce: host.account(m.from)?.nonce ?? 0n,
    value: m.value,
    gasLimit: gas,
    data: m.data,
    accessList,
  };
  const blob =
    m.blobVersionedHashes === null
      ? {}
      : { maxFeePerBlobGas: m.maxFeePerBlobGas ?? 0n, blobVersionedHashes: m.blobVersionedHashes };
  const fees =
    m.gasPrice !== null || priceIsZero(task)
      ? { gasPrice: m.gasPrice ?? 0n }
      : { maxFeePerGas: m.maxFeePerGas ?? 0n, maxPriorityFeePerGas: m.maxPriorityFeePerGas ?? 0n };
  return { ...base, ...blob, ...fees } satisfies TxFields;
}

/** One run with `gas`; throws the transaction check's TX_* error when the message is not executable. */
export function runOnce(
  evm: WasmEvm,
  task: CallTask,
  host: CallHost,
  gas: bigint,
  accessList: readonly CallAccessListEntry[] = task.msg.accessList ?? [],
): EvmResult {
  const env = blockEnv(task);
  const prepared = prepareTransaction(
    txFields(task, host, gas, accessList),
    { env, gasAvailable: gas, skipAccountChecks: true },
    host,
  );
  const result = evm.execute(env, prepared, host);
  if (result.status === EvmStatus.INTERNAL_ERROR)
    throw new FastEvmError(ErrorCode.EVM_INTERNAL, "EVM internal error during the call");
  return result;
}

/** A failed estimate: the error, and the revert data when the call reverts at every gas limit. */
export class EstimateFailure extends FastEvmError<string> {
  constructor(
    code: ErrorCode,
    message: string,
    readonly revert?: Uint8Array,
  ) {
    super(code, message);
  }
}

/** geth's `execute`: [failed, result]; intrinsic-gas refusals count as "failed" (raise the limit). */
function tryGas(evm: WasmEvm, task: CallTask, host: CallHost, gas: bigint): [boolean, EvmResult | undefined] {
  try {
    const r = runOnce(evm, task, host, gas);
    return [r.status !== EvmStatus.SUCCESS, r];
  } catch (e) {
    if (isFastEvmError(e, ErrorCode.TX_INTRINSIC_GAS)) return [true, undefined];
    throw e;
  }
}

/** geth's gas estimator (eth/gasestimator): the lowest gas limit (within 1.5 %) at which the call succeeds. */
export function estimateGas(evm: WasmEvm, task: CallTask, host: CallHost): bigint {
  const m = task.msg;
  let hi = m.gas !== null && m.gas >= BigInt(TX_GAS) ? m.gas : task.block.gasLimit;
  const cap = feeCap(task);
  if (cap !== 0n) {
    let available = host.account(m.from)?.balance ?? 0n;
    if (m.value >= available)
      throw new FastEvmError(ErrorCode.TX_INVALID_FIELD, "insufficient funds for transfer");
    available -= m.value;
    if (m.blobVersionedHashes !== null && m.blobVersionedHashes.length > 0) {
      const blob = BigInt(m.blobVersionedHashes.length) * GAS_PER_BLOB * (m.maxFeePerBlobGas ?? 0n);
      if (blob >= available)
        throw new FastEvmError(ErrorCode.TX_INVALID_FIELD, "insufficient funds for gas * price + value");
      available -= blob;
    }
    const allowance = available / cap;
    if (allowance <= U64_MAX && hi > allowance) hi = allowance;
  }
  if (task.gasCap !== 0n && hi > task.gasCap) hi = task.gasCap;

  // a plain transfer: try 21000 first
  if (m.data.length === 0 && m.to !== null && host.code(m.to).length === 0) {
    try {
      const r = runOnce(evm, task, host, BigInt(TX_GAS));
      if (r.status === EvmStatus.SUCCESS) return BigInt(TX_GAS);
    } catch (e) {
      if (!isFastEvmError(e) || !e.code.startsWith("TX_")) throw e;
    }
  }
  const [failed, result] = tryGas(evm, task, host, hi);
  if (failed) {
    if (result !== undefined && result.status !== EvmStatus.OUT_OF_GAS) {
      const reverted = result.status === EvmStatus.REVERT;
      throw new EstimateFailure(
        ErrorCode.RPC_CALL_FAILED,
        vmError(result) ?? "execution failed",
        reverted ? result.output : undefined,
      );
    }
    throw new EstimateFailure(ErrorCode.RPC_GAS_ALLOWANCE, `gas required exceeds allowance (${hi})`);
  }
  const used = result!.gasUsed;
  let lo = used - 1n;
  const optimistic = ((used + result!.gasRefund + CALL_STIPEND) * 64n) / 63n;
  if (optimistic < hi) {
    const [f] = tryGas(evm, task, host, optimistic);
    if (f) lo = optimistic;
    else hi = optimistic;
  }
  while (lo + 1n < hi) {
    if (Number(hi - lo) / Number(hi) < ESTIMATE_ERROR_RATIO) break;
    let mid = (hi + lo) / 2n;
    if (mid > lo * 2n) mid = lo * 2n;
    const [f] = tryGas(evm, task, host, mid);
    if (f) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The address a creation from `from` at `nonce` deploys to. */
export function createAddress(from: Uint8Array, nonce: bigint): Uint8Array {
  return keccak256(encodeRlp([from, nonce])).subarray(12);
}

/** Cancun's precompiles 0x01–0x0a: never listed (as geth's access-list tracer excludes them). */
function isPrecompile(a: Uint8Array): boolean {
  for (let i = 0; i < 19; i++) if (a[i] !== 0) return false;
  return a[19]! >= 1 && a[19]! <= 10;
}

class AccessListBuilder {
  /** hex address → [address, hex slot → slot] */
  readonly #list = new Map<string, [Uint8Array, Map<string, Uint8Array>]>();

  constructor(private readonly excluded: (a: Uint8Array) => boolean) {}

  #entry(address: Uint8Array): Map<string, Uint8Array> {
    const k = bytesToHex(address);
    let e = this.#list.get(k);
    if (e === undefined) {
      e = [address, new Map()];
      this.#list.set(k, e);
    }
    return e[1];
  }

  addAddress(address: Uint8Array): void {
    if (!this.excluded(address)) this.#entry(address);
  }

  /** slots are listed even for excluded addresses (geth's tracer does the same) */
  addSlot(address: Uint8Array, slot: Uint8Array): void {
    this.#entry(address).set(bytesToHex(slot), slot);
  }

  /** Sorted by address, keys sorted within each entry. */
  list(): CallAccessListEntry[] {
    const byBytes = (a: Uint8Array, b: Uint8Array): number => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return 0;
    };
    return [...this.#list.values()]
      .map(([address, slots]) => ({ address, storageKeys: [...slots.values()].sort(byBytes) }))
      .sort((x, y) => byBytes(x.address, y.address));
  }
}

function sameList(a: readonly CallAccessListEntry[], b: readonly CallAccessListEntry[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    return (
      equalBytes(x.address, y.address) &&
      x.storageKeys.length === y.storageKeys.length &&
      x.storageKeys.every((k, j) => equalBytes(k, y.storageKeys[j]!))
    );
  });
}

export interface AccessListOutcome {
  readonly accessList: CallAccessListEntry[];
  readonly gasUsed: bigint;
  readonly result: EvmResult;
}

/**
 * geth's eth_createAccessList: run with the list so far, add every account and slot the run touched
 * (except the sender, the recipient — or the created address — the precompiles and the coinbase, which the
 * module always reads to pay the tip), until a run adds nothing.
 */
export function createAccessList(evm: WasmEvm, task: CallTask, newHost: () => CallHost): AccessListOutcome {
  const m = task.msg;
  const probe = newHost();
  const to = m.to ?? createAddress(m.from, m.nonce ?? probe.account(m.from)?.nonce ?? 0n);
  const coinbase = task.block.coinbase;
  const excluded = (a: Uint8Array): boolean =>
    equalBytes(a, m.from) || equalBytes(a, to) || equalBytes(a, coinbase) || isPrecompile(a);
  const seed = new AccessListBuilder(excluded);
  for (const e of m.accessList ?? []) {
    seed.addAddress(e.address);
    for (const k of e.storageKeys) seed.addSlot(e.address, k);
  }
  let list = seed.list();
  const gas = callGas(task);
  for (let pass = 0; pass < MAX_ACCESS_LIST_PASSES; pass++) {
    const host = newHost();
    host.touched = { accounts: new Map(), slots: new Map() };
    const result = runOnce(evm, task, host, gas, list);
    const next = new AccessListBuilder(excluded);
    for (const e of list) {
      next.addAddress(e.address);
      for (const k of e.storageKeys) next.addSlot(e.address, k);
    }
    for (const a of host.touched.accounts.values()) next.addAddress(a);
    for (const { address, keys } of host.touched.slots.values())
      for (const k of keys.values()) next.addSlot(address, k);
    const nextList = next.list();
    if (sameList(nextList, list)) return { accessList: list, gasUsed: result.gasUsed, result };
    list = nextList;
  }
  throw new FastEvmError(
    ErrorCode.RPC_CALL_FAILED,
    `access list did not settle after ${MAX_ACCESS_LIST_PASSES} runs`,
  );
}
