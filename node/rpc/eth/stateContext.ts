/**
 * What the public state and execution methods need from the node (injected: node/rpc imports no pool):
 * the chain and its store, the block-parameter resolver, the execute pool's RPC tasks and the limits.
 * Also the one place the methods turn a resolved block into the state a worker reads and run a task.
 */
import type { Chain } from "../../chain/chain.ts";
import type { BlockHeader } from "../../core/block/header.ts";
import { equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import type { RpcExecResult, RpcExecTask, StateRef } from "../../core/wire/rpcExec.ts";
import { META_KEYS } from "../../storage/tables.ts";

/** geth's `--rpc.gascap` default: the gas of a call or an estimate never exceeds it (0 = no cap). */
export const DEFAULT_RPC_GAS_CAP = 50_000_000n;
/** geth's `--rpc.evmtimeout` default: a call (or a whole estimate / access-list search) is aborted after it. */
export const DEFAULT_RPC_EVM_TIMEOUT_MS = 5_000;

export interface BlockRef {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
}

/** The execute pool's RPC side (`ExecutePool` satisfies it). */
export interface RpcExecutor {
  rpc(task: RpcExecTask, signal?: AbortSignal): Promise<RpcExecResult>;
}

export interface StateRpcContext {
  readonly chain: Chain;
  /**
   * A block parameter (number, tag, EIP-1898 object) → the block, or null when there is no such block;
   * throws the RpcError (-32602) of a malformed parameter. The methods pass "latest" when it was omitted.
   */
  readonly resolveBlock: (param: unknown) => BlockRef | null;
  readonly exec: RpcExecutor;
  /** `--rpc.gascap` (default DEFAULT_RPC_GAS_CAP; 0n = none) */
  readonly gasCap?: bigint;
  /** `--rpc.evmtimeout` in ms (default DEFAULT_RPC_EVM_TIMEOUT_MS; 0 = none) */
  readonly evmTimeoutMs?: number;
  /** eth_getTransactionCount "pending": the txpool's next nonce for the sender (undefined: the state's) */
  readonly pendingNonce?: (address: Uint8Array) => bigint | undefined;
  /** the suggested priority fee eth_createAccessList fills in when the call names no fee (default 0) */
  readonly suggestTip?: () => bigint;
}

/** The block of a parameter ("latest" when omitted), or -32000 `header not found`. */
export function blockAt(ctx: StateRpcContext, param: unknown): BlockRef {
  const ref = ctx.resolveBlock(param === undefined || param === null ? "latest" : param);
  if (ref === null) throw new FastEvmError(ErrorCode.RPC_BLOCK_NOT_FOUND, "header not found");
  return ref;
}

/** Whether the flat tables hold `ref`'s state right now (it is the head). */
export function isHead(ctx: StateRpcContext, ref: BlockRef): boolean {
  const head = ctx.chain.store.meta(META_KEYS.headHash);
  return head !== undefined && equalBytes(head, ref.hash);
}

export function stateRef(ctx: StateRpcContext, ref: BlockRef): StateRef {
  return { datadir: ctx.chain.storage.datadir, blockHash: ref.hash, stateRoot: ref.header.stateRoot };
}

function timeoutText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Runs a task in the execute pool; `timed` tasks (EVM runs) are aborted after the EVM timeout with geth's
 * `execution aborted (timeout = 5s)`.
 */
export async function execTask(
  ctx: StateRpcContext,
  task: RpcExecTask,
  timed: boolean,
): Promise<RpcExecResult> {
  const ms = ctx.evmTimeoutMs ?? DEFAULT_RPC_EVM_TIMEOUT_MS;
  const signal = timed && ms > 0 ? AbortSignal.timeout(ms) : undefined;
  try {
    return await ctx.exec.rpc(task, signal);
  } catch (e) {
    if (signal?.aborted === true)
      throw new FastEvmError(ErrorCode.RPC_EVM_TIMEOUT, `execution aborted (timeout = ${timeoutText(ms)})`);
    throw e;
  }
}

type OkKind = Extract<RpcExecResult, { ok: true }>["rpc"];

/** The result of the kind asked for; a refused task throws its typed error (answered as -32000). */
export function okResult<K extends OkKind>(r: RpcExecResult, kind: K): Extract<RpcExecResult, { rpc: K }> {
  if (!r.ok) throw FastEvmError.fromObject(r.error);
  if (r.rpc !== kind) throw new FastEvmError(ErrorCode.INTERNAL, `rpc task answered ${r.rpc}, not ${kind}`);
  return r as Extract<RpcExecResult, { rpc: K }>;
}
