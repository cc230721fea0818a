/**
 * Parameter validators of the Engine API: exact structure per version (a `null` field counts as missing,
 * execution-apis common.md), strict DATA / QUANTITY encodings. Structural failures throw the JSON-RPC error
 * the calling method's spec names (-32602 for payloads and forkchoice states, -38003 for attributes).
 */
import type { ExecutionPayload } from "../../core/block/payload.ts";
import type { Withdrawal } from "../../core/block/withdrawal.ts";
import { MAX_EXTRA_DATA_BYTES } from "../../core/chain/params.ts";
import { isFastEvmError } from "../../core/errors.ts";
import { hexToBytes, quantityToBigint } from "../../core/hex.ts";
import type { ForkchoiceState, PayloadAttributes } from "../../core/wire/engine.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";

export type { ForkchoiceState, PayloadAttributes } from "../../core/wire/engine.ts";

const V1_FIELDS = [
  "parentHash",
  "feeRecipient",
  "stateRoot",
  "receiptsRoot",
  "logsBloom",
  "prevRandao",
  "blockNumber",
  "gasLimit",
  "gasUsed",
  "timestamp",
  "extraData",
  "baseFeePerGas",
  "blockHash",
  "transactions",
] as const;
const V2_FIELDS = [...V1_FIELDS, "withdrawals"] as const;
const V3_FIELDS = [...V2_FIELDS, "blobGasUsed", "excessBlobGas"] as const;
const PAYLOAD_FIELDS = { 1: V1_FIELDS, 2: V2_FIELDS, 3: V3_FIELDS } as const;
const ALL_PAYLOAD_FIELDS: readonly string[] = V3_FIELDS;

function present(o: Record<string, unknown>, k: string): boolean {
  return o[k] !== undefined && o[k] !== null;
}

export function asObject(v: unknown, what: string, code: number): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new RpcError(code, `${what} must be an object`);
  return v as Record<string, unknown>;
}

/** Runs a hex/quantity parser, turning its failure into an RPC error naming the field. */
export function parseField<T>(what: string, code: number, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isFastEvmError(e)) throw new RpcError(code, `${what}: ${e.message}`);
    throw e;
  }
}

export const data32 = (v: unknown, what: string, code: number = RpcCode.INVALID_PARAMS): Uint8Array =>
  parseField(what, code, () => hexToBytes(v as string, 32));
export const quantity = (
  v: unknown,
  what: string,
  code: number = RpcCode.INVALID_PARAMS,
  bits = 64,
): bigint => parseField(what, code, () => quantityToBigint(v as string, bits));

/**
 * The payload's version by its fields, checked against what the method accepts: exactly one version's fields,
 * nothing null, nothing of a later version. Field encodings are checked later by `payloadToBlock`.
 */
export function payloadShape(
  p: unknown,
  allowed: readonly (1 | 2 | 3)[],
): { payload: ExecutionPayload; version: 1 | 2 | 3 } {
  const o = asObject(p, "executionPayload", RpcCode.INVALID_PARAMS);
  const version =
    present(o, "blobGasUsed") || present(o, "excessBlobGas") ? 3 : present(o, "withdrawals") ? 2 : 1;
  if (!allowed.includes(version))
    throw new RpcError(RpcCode.INVALID_PARAMS, `ExecutionPayloadV${version} is not accepted by this method`);
  for (const k of PAYLOAD_FIELDS[version])
    if (!present(o, k)) throw new RpcError(RpcCode.INVALID_PARAMS, `executionPayload.${k} is missing`);
  for (const k of Object.keys(o))
    if (!ALL_PAYLOAD_FIELDS.includes(k))
      throw new RpcError(RpcCode.INVALID_PARAMS, `unknown field executionPayload.${k}`);
  if (!Array.isArray(o.transactions) || (version > 1 && !Array.isArray(o.withdrawals)))
    throw new RpcError(RpcCode.INVALID_PARAMS, "transactions and withdrawals must be arrays");
  if (!(o.transactions as unknown[]).every((t) => typeof t === "string"))
    throw new RpcError(RpcCode.INVALID_PARAMS, "transactions must be DATA strings");
  return { payload: o as unknown as ExecutionPayload, version };
}

export function forkchoiceState(v: unknown): ForkchoiceState {
  const o = asObject(v, "forkchoiceState", RpcCode.INVALID_PARAMS);
  return {
    head: data32(o.headBlockHash, "headBlockHash"),
    safe: data32(o.safeBlockHash, "safeBlockHash"),
    finalized: data32(o.finalizedBlockHash, "finalizedBlockHash"),
  };
}

const ATTR_BASE = ["timestamp", "prevRandao", "suggestedFeeRecipient"];
const ATTR_EXTENSION = ["transactions", "noTxPool", "gasLimit", "extraData"];

function extraDataBytes(v: unknown): Uint8Array {
  const b = hexToBytes(v as string);
  if (b.length > MAX_EXTRA_DATA_BYTES)
    throw new RpcError(RpcCode.INVALID_PAYLOAD_ATTRIBUTES, `extraData exceeds ${MAX_EXTRA_DATA_BYTES} bytes`);
  return b;
}

/** Parses attributes; the version is what their fields say (the caller checks it against the method). */
export function payloadAttributes(v: unknown): PayloadAttributes {
  const code = RpcCode.INVALID_PAYLOAD_ATTRIBUTES;
  const o = asObject(v, "payloadAttributes", code);
  const version = present(o, "parentBeaconBlockRoot") ? 3 : present(o, "withdrawals") ? 2 : 1;
  if (version === 3 && !present(o, "withdrawals")) throw new RpcError(code, "withdrawals is missing");
  for (const k of ATTR_BASE)
    if (!present(o, k)) throw new RpcError(code, `payloadAttributes.${k} is missing`);
  const known = [...ATTR_BASE, ...ATTR_EXTENSION, "withdrawals", "parentBeaconBlockRoot"];
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw new RpcError(code, `unknown field payloadAttributes.${k}`);
  let withdrawals: Withdrawal[] | undefined;
  if (version >= 2) {
    if (!Array.isArray(o.withdrawals)) throw new RpcError(code, "withdrawals must be an array");
    withdrawals = (o.withdrawals as unknown[]).map((w, i) => {
      const x = asObject(w, `withdrawals[${i}]`, code);
      return {
        index: quantity(x.index, `withdrawals[${i}].index`, code),
        validatorIndex: quantity(x.validatorIndex, `withdrawals[${i}].validatorIndex`, code),
        address: parseField(`withdrawals[${i}].address`, code, () => hexToBytes(x.address as string, 20)),
        amount: quantity(x.amount, `withdrawals[${i}].amount`, code),
      };
    });
  }
  let transactions: Uint8Array[] | undefined;
  if (present(o, "transactions")) {
    if (!Array.isArray(o.transactions)) throw new RpcError(code, "transactions must be an array");
    transactions = (o.transactions as unknown[]).map((t, i) =>
      parseField(`transactions[${i}]`, code, () => hexToBytes(t as string)),
    );
  }
  if (present(o, "noTxPool") && typeof o.noTxPool !== "boolean")
    throw new RpcError(code, "noTxPool must be a boolean");
  return {
    version,
    timestamp: quantity(o.timestamp, "timestamp", code),
    prevRandao: data32(o.prevRandao, "prevRandao", code),
    suggestedFeeRecipient: parseField("suggestedFeeRecipient", code, () =>
      hexToBytes(o.suggestedFeeRecipient as string, 20),
    ),
    ...(withdrawals === undefined ? {} : { withdrawals }),
    ...(version === 3
      ? { parentBeaconBlockRoot: data32(o.parentBeaconBlockRoot, "parentBeaconBlockRoot", code) }
      : {}),
    ...(transactions === undefined ? {} : { transactions }),
    noTxPool: o.noTxPool === true,
    ...(present(o, "gasLimit") ? { gasLimit: quantity(o.gasLimit, "gasLimit", code) } : {}),
    ...(present(o, "extraData")
      ? { extraData: parseField("extraData", code, () => extraDataBytes(o.extraData)) }
      : {}),
  };
}

/**
 * The structural rules of attributes given as values (the in-process engine's; JSON ones were held to them
 * while parsed), with the parser's -38003 messages: the byte lengths, the fields each version carries, the
 * extraData limit.
 */
export function checkAttributes(a: PayloadAttributes): void {
  const code = RpcCode.INVALID_PAYLOAD_ATTRIBUTES;
  const bytes = (b: Uint8Array | undefined, n: number, what: string) => {
    if (b !== undefined && b.length !== n) throw new RpcError(code, `${what}: expected ${n} bytes`);
  };
  bytes(a.prevRandao, 32, "prevRandao");
  bytes(a.suggestedFeeRecipient, 20, "suggestedFeeRecipient");
  bytes(a.parentBeaconBlockRoot, 32, "parentBeaconBlockRoot");
  if (a.version >= 2 && a.withdrawals === undefined) throw new RpcError(code, "withdrawals is missing");
  if ((a.version === 3) !== (a.parentBeaconBlockRoot !== undefined))
    throw new RpcError(code, `parentBeaconBlockRoot does not match PayloadAttributesV${a.version}`);
  if (a.version === 1 && a.withdrawals !== undefined)
    throw new RpcError(code, "withdrawals do not belong in PayloadAttributesV1");
  if (a.extraData !== undefined && a.extraData.length > MAX_EXTRA_DATA_BYTES)
    throw new RpcError(code, `extraData exceeds ${MAX_EXTRA_DATA_BYTES} bytes`);
}

/** params[i], or -32602 when it is missing. */
export function param(params: readonly unknown[], i: number, name: string): unknown {
  if (i >= params.length) throw new RpcError(RpcCode.INVALID_PARAMS, `missing parameter ${name}`);
  return params[i];
}

export function expectParams(params: readonly unknown[], max: number): void {
  if (params.length > max) throw new RpcError(RpcCode.INVALID_PARAMS, `too many parameters (max ${max})`);
}
