/**
 * Parameters of the state and execution methods, parsed as geth reads them: the call object
 * (`GenericTransaction` / geth's TransactionArgs: unknown fields ignored, `input` or `data`), geth's state
 * override set (balance, nonce, code, state, stateDiff) and block overrides, addresses and storage keys.
 * A malformed field answers -32602 naming it; a semantic conflict geth refuses answers -32000 as geth does.
 */
import { bytesToBigint, equalBytes } from "../../core/bytes.ts";
import { ErrorCode, FastEvmError } from "../../core/errors.ts";
import { hexToBytes, quantityToBigint } from "../../core/hex.ts";
import type { AccountOverride, CallAccessListEntry, CallBlock, CallMsg } from "../../core/wire/rpcExec.ts";
import { asObject, parseField } from "../engine/validate.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";

const P = RpcCode.INVALID_PARAMS;

const present = (v: unknown): boolean => v !== undefined && v !== null;

export const addressParam = (v: unknown, what: string): Uint8Array =>
  parseField(what, P, () => hexToBytes(v as string, 20));

const bytesParam = (v: unknown, what: string): Uint8Array =>
  parseField(what, P, () => hexToBytes(v as string));
const hashParam = (v: unknown, what: string): Uint8Array =>
  parseField(what, P, () => hexToBytes(v as string, 32));
const uintParam = (v: unknown, what: string, bits = 256): bigint =>
  parseField(what, P, () => quantityToBigint(v as string, bits));

/**
 * A storage key as geth's `decodeHash` reads it: optional 0x, odd length allowed, at most 32 bytes,
 * left-padded to 32. `length` is the input's byte length (eth_getProof echoes short keys as quantities).
 */
export function storageKeyParam(v: unknown, what: string): { slot: Uint8Array; length: number } {
  if (typeof v !== "string") throw new RpcError(P, `${what}: storage key must be a hex string`);
  let h = v.startsWith("0x") || v.startsWith("0X") ? v.slice(2) : v;
  if ((h.length & 1) !== 0) h = `0${h}`;
  if (!/^[0-9a-fA-F]*$/.test(h)) throw new RpcError(P, `${what}: hex string invalid`);
  const length = h.length / 2;
  if (length > 32) throw new RpcError(P, `${what}: hex string too long, want at most 32 bytes`);
  const slot = new Uint8Array(32);
  slot.set(hexToBytes(`0x${h}`), 32 - length);
  return { slot, length };
}

function accessListParam(v: unknown, what: string): CallAccessListEntry[] {
  if (!Array.isArray(v)) throw new RpcError(P, `${what} must be an array`);
  return v.map((e, i) => {
    const o = asObject(e, `${what}[${i}]`, P);
    const keys = o.storageKeys ?? [];
    if (!Array.isArray(keys)) throw new RpcError(P, `${what}[${i}].storageKeys must be an array`);
    return {
      address: addressParam(o.address, `${what}[${i}].address`),
      storageKeys: keys.map((k, j) => hashParam(k, `${what}[${i}].storageKeys[${j}]`)),
    };
  });
}

/** The call object of eth_call / eth_estimateGas / eth_createAccessList (params[0]). */
export function callMsgParam(v: unknown, chainId: bigint): CallMsg {
  const o = asObject(v, "transaction", P);
  const opt = <T>(k: string, parse: (x: unknown, what: string) => T): T | null =>
    present(o[k]) ? parse(o[k], k) : null;
  const input = opt("input", bytesParam);
  const data = opt("data", bytesParam);
  if (input !== null && data !== null && !equalBytes(input, data))
    throw new FastEvmError(
      ErrorCode.INVALID_ARGUMENT,
      'both "data" and "input" are set and not equal. Please use "input" to pass transaction call data',
    );
  const gasPrice = opt("gasPrice", uintParam);
  const maxFeePerGas = opt("maxFeePerGas", uintParam);
  const maxPriorityFeePerGas = opt("maxPriorityFeePerGas", uintParam);
  if (gasPrice !== null && (maxFeePerGas !== null || maxPriorityFeePerGas !== null))
    throw new FastEvmError(
      ErrorCode.INVALID_ARGUMENT,
      "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified",
    );
  const chain = opt("chainId", uintParam);
  if (chain !== null && chain !== chainId)
    throw new FastEvmError(
      ErrorCode.INVALID_ARGUMENT,
      `chainId does not match node's (have=${chain}, want=${chainId})`,
    );
  const blobs = o.blobVersionedHashes;
  if (present(blobs) && !Array.isArray(blobs)) throw new RpcError(P, "blobVersionedHashes must be an array");
  return {
    from: opt("from", addressParam) ?? new Uint8Array(20),
    to: opt("to", addressParam),
    gas: opt("gas", (x, w) => uintParam(x, w, 64)),
    gasPrice,
    maxFeePerGas,
    maxPriorityFeePerGas,
    maxFeePerBlobGas: opt("maxFeePerBlobGas", uintParam),
    value: opt("value", uintParam) ?? 0n,
    data: input ?? data ?? new Uint8Array(0),
    nonce: opt("nonce", (x, w) => uintParam(x, w, 64)),
    accessList: opt("accessList", accessListParam),
    blobVersionedHashes: present(blobs)
      ? (blobs as unknown[]).map((h, i) => hashParam(h, `blobVersionedHashes[${i}]`))
      : null,
  };
}

function slotMap(v: unknown, what: string): [Uint8Array, bigint][] {
  const o = asObject(v, what, P);
  return Object.entries(o).map(([k, val]) => [
    hashParam(k, `${what} key`),
    bytesToBigint(hashParam(val, `${what}[${k}]`)),
  ]);
}

const OVERRIDE_FIELDS = ["balance", "nonce", "code", "state", "stateDiff", "movePrecompileToAddress"];

/** geth's StateOverride: address → { balance, nonce, code, state | stateDiff }. */
export function stateOverridesParam(v: unknown): AccountOverride[] {
  if (!present(v)) return [];
  const o = asObject(v, "state override", P);
  return Object.entries(o).map(([addr, raw]) => {
    const address = addressParam(addr, `state override ${addr}`);
    const a = asObject(raw, `state override ${addr}`, P);
    for (const k of Object.keys(a))
      if (!OVERRIDE_FIELDS.includes(k)) throw new RpcError(P, `state override ${addr}: unknown field ${k}`);
    if (present(a.movePrecompileToAddress))
      throw new RpcError(P, `state override ${addr}: movePrecompileToAddress is not supported`);
    if (present(a.state) && present(a.stateDiff))
      throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `account ${addr} has both 'state' and 'stateDiff'`);
    const w = (k: string): string => `state override ${addr}.${k}`;
    return {
      address,
      ...(present(a.balance) ? { balance: uintParam(a.balance, w("balance")) } : {}),
      ...(present(a.nonce) ? { nonce: uintParam(a.nonce, w("nonce"), 64) } : {}),
      ...(present(a.code) ? { code: bytesParam(a.code, w("code")) } : {}),
      ...(present(a.state) ? { state: slotMap(a.state, w("state")) } : {}),
      ...(present(a.stateDiff) ? { stateDiff: slotMap(a.stateDiff, w("stateDiff")) } : {}),
    };
  });
}

const BLOCK_OVERRIDE_FIELDS = [
  "number",
  "difficulty",
  "time",
  "gasLimit",
  "feeRecipient",
  "prevRandao",
  "baseFeePerGas",
  "blobBaseFee",
  "beaconRoot",
  "withdrawals",
];

/** geth's BlockOverrides applied to a call's block context (`difficulty` has no effect after the merge). */
export function applyBlockOverrides(block: CallBlock, v: unknown): CallBlock {
  if (!present(v)) return block;
  const o = asObject(v, "block override", P);
  for (const k of Object.keys(o))
    if (!BLOCK_OVERRIDE_FIELDS.includes(k)) throw new RpcError(P, `block override: unknown field ${k}`);
  for (const k of ["beaconRoot", "withdrawals"])
    if (present(o[k]))
      throw new FastEvmError(
        ErrorCode.INVALID_ARGUMENT,
        `block override ${k} is not supported for this RPC method`,
      );
  const w = (k: string): string => `block override ${k}`;
  return {
    ...block,
    ...(present(o.number) ? { number: uintParam(o.number, w("number"), 64) } : {}),
    ...(present(o.time) ? { timestamp: uintParam(o.time, w("time"), 64) } : {}),
    ...(present(o.gasLimit) ? { gasLimit: uintParam(o.gasLimit, w("gasLimit"), 64) } : {}),
    ...(present(o.feeRecipient) ? { coinbase: addressParam(o.feeRecipient, w("feeRecipient")) } : {}),
    ...(present(o.prevRandao) ? { prevRandao: hashParam(o.prevRandao, w("prevRandao")) } : {}),
    ...(present(o.baseFeePerGas) ? { baseFee: uintParam(o.baseFeePerGas, w("baseFeePerGas")) } : {}),
    ...(present(o.blobBaseFee) ? { blobBaseFee: uintParam(o.blobBaseFee, w("blobBaseFee")) } : {}),
  };
}
