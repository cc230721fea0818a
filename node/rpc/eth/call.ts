/**
 * eth_call, eth_estimateGas and eth_createAccessList: parameters parsed here, the EVM runs in the execute
 * pool (workers/execute/callExec.ts) under the gas cap and the EVM timeout. A revert answers code 3,
 * `execution reverted[: reason]`, with the revert data; other failed runs answer -32000 with geth's text.
 */
import type { BlockHeader } from "../../core/block/header.ts";
import { blobBaseFee } from "../../core/chain/fees.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { bigintToQuantity, bytesToHex } from "../../core/hex.ts";
import type { CallBlock, CallMsg, CallTask } from "../../core/wire/rpcExec.ts";
import { expectParams, param } from "../engine/validate.ts";
import type { RpcHandler } from "../jsonrpc.ts";
import { applyBlockOverrides, callMsgParam, stateOverridesParam } from "./callArgs.ts";
import { revertError } from "./revert.ts";
import {
  blockAt,
  DEFAULT_RPC_GAS_CAP,
  execTask,
  okResult,
  type StateRpcContext,
  stateRef,
} from "./stateContext.ts";

function callBlock(header: BlockHeader, chainId: bigint): CallBlock {
  return {
    coinbase: header.coinbase,
    number: header.number,
    timestamp: header.timestamp,
    gasLimit: header.gasLimit,
    prevRandao: header.mixHash,
    baseFee: header.baseFeePerGas ?? 0n,
    blobBaseFee: blobBaseFee(header.excessBlobGas ?? 0n),
    chainId,
  };
}

/** The task for params [tx, block?, stateOverrides?, blockOverrides?] (overrides where the method takes them). */
function callTask(
  ctx: StateRpcContext,
  rpc: CallTask["rpc"],
  p: readonly unknown[],
  overrides: boolean,
  withMsg: (msg: CallMsg, header: BlockHeader) => CallMsg = (m) => m,
): CallTask {
  expectParams(p, overrides ? 4 : 2);
  const chainId = ctx.chain.config.chainId;
  const msg = callMsgParam(param(p, 0, "transaction"), chainId);
  const ref = blockAt(ctx, p[1]);
  return {
    rpc,
    at: stateRef(ctx, ref),
    block: overrides
      ? applyBlockOverrides(callBlock(ref.header, chainId), p[3])
      : callBlock(ref.header, chainId),
    msg: withMsg(msg, ref.header),
    overrides: overrides ? stateOverridesParam(p[2]) : [],
    gasCap: ctx.gasCap ?? DEFAULT_RPC_GAS_CAP,
  };
}

/**
 * geth's setFeeDefaults for eth_createAccessList: with no fee fields, tip = the suggested tip and
 * maxFeePerGas = tip + 2 × base fee; explicit fields are checked as geth checks them.
 */
function withFeeDefaults(ctx: StateRpcContext, m: CallMsg, header: BlockHeader): CallMsg {
  const fail = (msg: string): never => {
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, msg);
  };
  if (m.maxFeePerBlobGas === 0n) fail("maxFeePerBlobGas, if specified, must be non-zero");
  if (m.maxFeePerGas !== null && m.maxPriorityFeePerGas !== null) {
    if (m.maxFeePerGas === 0n) fail("maxFeePerGas must be non-zero");
    if (m.maxFeePerGas < m.maxPriorityFeePerGas)
      fail(`maxFeePerGas (${m.maxFeePerGas}) < maxPriorityFeePerGas (${m.maxPriorityFeePerGas})`);
    return m;
  }
  if (m.gasPrice !== null) {
    if (m.gasPrice === 0n && header.baseFeePerGas !== undefined)
      fail("gasPrice must be non-zero after london fork");
    return m;
  }
  const blobFee =
    m.blobVersionedHashes !== null && m.maxFeePerBlobGas === null
      ? { maxFeePerBlobGas: 2n * blobBaseFee(header.excessBlobGas ?? 0n) }
      : {};
  if (header.baseFeePerGas === undefined) return { ...m, ...blobFee, gasPrice: ctx.suggestTip?.() ?? 0n };
  const tip = m.maxPriorityFeePerGas ?? ctx.suggestTip?.() ?? 0n;
  const maxFee = m.maxFeePerGas ?? tip + 2n * header.baseFeePerGas;
  if (maxFee < tip) fail(`maxFeePerGas (${maxFee}) < maxPriorityFeePerGas (${tip})`);
  return { ...m, ...blobFee, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
}

function call(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    const r = okResult(await execTask(ctx, callTask(ctx, "call", p, true), true), "call");
    if (r.reverted) throw revertError(r.output);
    if (r.vmError !== null) throw new FastEvmError(ErrorCode.RPC_CALL_FAILED, r.vmError);
    return bytesToHex(r.output);
  };
}

function estimateGas(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    const r = await execTask(ctx, callTask(ctx, "estimate", p, true), true);
    if (!r.ok && r.revert !== undefined) throw revertError(r.revert);
    return bigintToQuantity(okResult(r, "estimate").gas);
  };
}

function createAccessList(ctx: StateRpcContext): RpcHandler {
  return async (p) => {
    const task = callTask(ctx, "accessList", p, false, (m, h) => withFeeDefaults(ctx, m, h));
    const r = okResult(await execTask(ctx, task, true), "accessList");
    return {
      accessList: r.accessList.map((e) => ({
        address: bytesToHex(e.address),
        storageKeys: e.storageKeys.map(bytesToHex),
      })),
      ...(r.vmError === null ? {} : { error: r.vmError }),
      gasUsed: bigintToQuantity(r.gasUsed),
    };
  };
}

export function callMethods(ctx: StateRpcContext): [string, RpcHandler][] {
  return [
    ["eth_call", call(ctx)],
    ["eth_estimateGas", estimateGas(ctx)],
    ["eth_createAccessList", createAccessList(ctx)],
  ];
}
