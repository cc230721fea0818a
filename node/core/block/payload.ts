/**
 * Engine API execution payloads (execution-apis `engine/openrpc/schemas/payload.yaml`) ↔ blocks.
 * A payload is a post-merge block with the constant fields left out (ommers, difficulty, nonce) and the
 * roots of the lists replaced by the lists; V3's `parentBeaconBlockRoot` travels beside the payload.
 */
import { MAX_EXTRA_DATA_BYTES } from "../chain/params.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../errors.ts";
import { bigintToQuantity, bytesToHex, hexToBytes, quantityToBigint } from "../hex.ts";
import type { ExecutionPayloadValue } from "../wire/engine.ts";
import { type Block, transactionsRoot } from "./block.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, headerHash } from "./header.ts";
import { type Withdrawal, withdrawalsRoot } from "./withdrawal.ts";

export interface WithdrawalV1 {
  readonly index: string;
  readonly validatorIndex: string;
  readonly address: string;
  readonly amount: string;
}

export interface ExecutionPayloadV1 {
  readonly parentHash: string;
  readonly feeRecipient: string;
  readonly stateRoot: string;
  readonly receiptsRoot: string;
  readonly logsBloom: string;
  readonly prevRandao: string;
  readonly blockNumber: string;
  readonly gasLimit: string;
  readonly gasUsed: string;
  readonly timestamp: string;
  readonly extraData: string;
  readonly baseFeePerGas: string;
  readonly blockHash: string;
  /** EIP-2718 encodings as DATA */
  readonly transactions: readonly string[];
}

export interface ExecutionPayloadV2 extends ExecutionPayloadV1 {
  readonly withdrawals: readonly WithdrawalV1[];
}

export interface ExecutionPayloadV3 extends ExecutionPayloadV2 {
  readonly blobGasUsed: string;
  readonly excessBlobGas: string;
}

export type ExecutionPayload = ExecutionPayloadV1 | ExecutionPayloadV2 | ExecutionPayloadV3;

const ZERO_NONCE = new Uint8Array(8);

function payloadError(message: string, cause?: unknown): FastEvmError {
  const meta = isFastEvmError(cause) ? { cause: cause.code } : undefined;
  return new FastEvmError(ErrorCode.PAYLOAD_INVALID, `invalid payload: ${message}`, meta, { cause });
}

/** Runs a field parser, naming the field in the error. */
function field<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isFastEvmError(e)) throw payloadError(`${name}: ${e.message}`, e);
    throw e;
  }
}

const data = (name: string, v: unknown, len?: number): Uint8Array =>
  field(name, () => hexToBytes(v as string, len));
const u64 = (name: string, v: unknown): bigint => field(name, () => quantityToBigint(v as string, 64));
const u256 = (name: string, v: unknown): bigint => field(name, () => quantityToBigint(v as string, 256));

export function withdrawalToJson(w: Withdrawal): WithdrawalV1 {
  return {
    index: bigintToQuantity(w.index),
    validatorIndex: bigintToQuantity(w.validatorIndex),
    address: bytesToHex(w.address),
    amount: bigintToQuantity(w.amount),
  };
}

export function withdrawalFromJson(w: WithdrawalV1, i = 0): Withdrawal {
  if (typeof w !== "object" || w === null) throw payloadError(`withdrawals[${i}] is not an object`);
  return {
    index: u64(`withdrawals[${i}].index`, w.index),
    validatorIndex: u64(`withdrawals[${i}].validatorIndex`, w.validatorIndex),
    address: data(`withdrawals[${i}].address`, w.address, 20),
    amount: u64(`withdrawals[${i}].amount`, w.amount),
  };
}

/**
 * The payload of a post-merge block: V3 when the header has the Cancun fields, V2 with Shanghai's, else V1.
 * `blockHash` is computed from the header.
 */
export function blockToPayload(block: Block): ExecutionPayload {
  const h = block.header;
  if (h.baseFeePerGas === undefined) throw payloadError("pre-London blocks have no execution payload form");
  const v1: ExecutionPayloadV1 = {
    parentHash: bytesToHex(h.parentHash),
    feeRecipient: bytesToHex(h.coinbase),
    stateRoot: bytesToHex(h.stateRoot),
    receiptsRoot: bytesToHex(h.receiptsRoot),
    logsBloom: bytesToHex(h.logsBloom),
    prevRandao: bytesToHex(h.mixHash),
    blockNumber: bigintToQuantity(h.number),
    gasLimit: bigintToQuantity(h.gasLimit),
    gasUsed: bigintToQuantity(h.gasUsed),
    timestamp: bigintToQuantity(h.timestamp),
    extraData: bytesToHex(h.extraData),
    baseFeePerGas: bigintToQuantity(h.baseFeePerGas),
    blockHash: bytesToHex(headerHash(h)),
    transactions: block.transactions.map(bytesToHex),
  };
  if (block.withdrawals === undefined) return v1;
  const v2: ExecutionPayloadV2 = { ...v1, withdrawals: block.withdrawals.map(withdrawalToJson) };
  if (h.blobGasUsed === undefined || h.excessBlobGas === undefined) return v2;
  return {
    ...v2,
    blobGasUsed: bigintToQuantity(h.blobGasUsed),
    excessBlobGas: bigintToQuantity(h.excessBlobGas),
  };
}

/** Which Engine API version a payload object is, from the fields it carries. */
export function payloadVersion(p: ExecutionPayload): 1 | 2 | 3 {
  if ("blobGasUsed" in p || "excessBlobGas" in p) return 3;
  return "withdrawals" in p ? 2 : 1;
}

export interface PayloadBlock {
  readonly block: Block;
  /** hash of the rebuilt header: the caller compares it with `payload.blockHash` (mismatch = INVALID) */
  readonly blockHash: Uint8Array;
}

/**
 * Rebuilds the block a payload describes. Strictly validates every field's hex form and length (typed
 * `PAYLOAD_INVALID` naming the field). For V3, `parentBeaconBlockRoot` (a separate newPayloadV3 parameter)
 * is required.
 */
export function payloadToBlock(p: ExecutionPayload, parentBeaconBlockRoot?: Uint8Array): PayloadBlock {
  if (typeof p !== "object" || p === null) throw payloadError("not an object");
  const version = payloadVersion(p);
  if (!Array.isArray(p.transactions)) throw payloadError("transactions must be an array");
  const transactions = p.transactions.map((t, i) => data(`transactions[${i}]`, t));
  transactions.forEach((t, i) => {
    if (t.length === 0) throw payloadError(`transactions[${i}] is empty`);
  });
  const extraData = data("extraData", p.extraData);
  if (extraData.length > MAX_EXTRA_DATA_BYTES)
    throw payloadError(`extraData is ${extraData.length} bytes, max ${MAX_EXTRA_DATA_BYTES}`);
  let header: BlockHeader = {
    parentHash: data("parentHash", p.parentHash, 32),
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: data("feeRecipient", p.feeRecipient, 20),
    stateRoot: data("stateRoot", p.stateRoot, 32),
    transactionsRoot: transactionsRoot(transactions),
    receiptsRoot: data("receiptsRoot", p.receiptsRoot, 32),
    logsBloom: data("logsBloom", p.logsBloom, 256),
    difficulty: 0n,
    number: u64("blockNumber", p.blockNumber),
    gasLimit: u64("gasLimit", p.gasLimit),
    gasUsed: u64("gasUsed", p.gasUsed),
    timestamp: u64("timestamp", p.timestamp),
    extraData,
    mixHash: data("prevRandao", p.prevRandao, 32),
    nonce: ZERO_NONCE,
    baseFeePerGas: u256("baseFeePerGas", p.baseFeePerGas),
  };
  data("blockHash", p.blockHash, 32);
  if (version === 1) {
    return { block: { header, transactions, ommers: [] }, blockHash: headerHash(header) };
  }
  const v2 = p as ExecutionPayloadV2;
  if (!Array.isArray(v2.withdrawals)) throw payloadError("withdrawals must be an array");
  const withdrawals = v2.withdrawals.map(withdrawalFromJson);
  header = { ...header, withdrawalsRoot: withdrawalsRoot(withdrawals) };
  if (version === 3) {
    const v3 = p as ExecutionPayloadV3;
    if (parentBeaconBlockRoot?.length !== 32)
      throw payloadError("V3 payload needs a 32-byte parentBeaconBlockRoot");
    header = {
      ...header,
      blobGasUsed: u64("blobGasUsed", v3.blobGasUsed),
      excessBlobGas: u64("excessBlobGas", v3.excessBlobGas),
      parentBeaconBlockRoot,
    };
  }
  return { block: { header, transactions, ommers: [], withdrawals }, blockHash: headerHash(header) };
}

/** A block's payload as values (the typed Engine API's form): one header hash, no hex. */
export function payloadValueFromBlock(block: Block): ExecutionPayloadValue {
  const h = block.header;
  if (h.baseFeePerGas === undefined) throw payloadError("pre-London blocks have no execution payload form");
  return {
    parentHash: h.parentHash,
    feeRecipient: h.coinbase,
    stateRoot: h.stateRoot,
    receiptsRoot: h.receiptsRoot,
    logsBloom: h.logsBloom,
    prevRandao: h.mixHash,
    blockNumber: h.number,
    gasLimit: h.gasLimit,
    gasUsed: h.gasUsed,
    timestamp: h.timestamp,
    extraData: h.extraData,
    baseFeePerGas: h.baseFeePerGas,
    blockHash: headerHash(h),
    transactions: block.transactions,
    ...(block.withdrawals === undefined ? {} : { withdrawals: block.withdrawals }),
    ...(block.withdrawals === undefined || h.blobGasUsed === undefined || h.excessBlobGas === undefined
      ? {}
      : { blobGasUsed: h.blobGasUsed, excessBlobGas: h.excessBlobGas }),
  };
}

/** The JSON form of a payload value (hex only: nothing is hashed or checked). */
export function payloadValueToJson(v: ExecutionPayloadValue): ExecutionPayload {
  const v1: ExecutionPayloadV1 = {
    parentHash: bytesToHex(v.parentHash),
    feeRecipient: bytesToHex(v.feeRecipient),
    stateRoot: bytesToHex(v.stateRoot),
    receiptsRoot: bytesToHex(v.receiptsRoot),
    logsBloom: bytesToHex(v.logsBloom),
    prevRandao: bytesToHex(v.prevRandao),
    blockNumber: bigintToQuantity(v.blockNumber),
    gasLimit: bigintToQuantity(v.gasLimit),
    gasUsed: bigintToQuantity(v.gasUsed),
    timestamp: bigintToQuantity(v.timestamp),
    extraData: bytesToHex(v.extraData),
    baseFeePerGas: bigintToQuantity(v.baseFeePerGas),
    blockHash: bytesToHex(v.blockHash),
    transactions: v.transactions.map(bytesToHex),
  };
  if (v.withdrawals === undefined) return v1;
  const v2: ExecutionPayloadV2 = { ...v1, withdrawals: v.withdrawals.map(withdrawalToJson) };
  if (v.blobGasUsed === undefined || v.excessBlobGas === undefined) return v2;
  return {
    ...v2,
    blobGasUsed: bigintToQuantity(v.blobGasUsed),
    excessBlobGas: bigintToQuantity(v.excessBlobGas),
  };
}

/** A JSON payload as values, every field's encoding checked (PAYLOAD_INVALID naming the field). */
export function payloadValueFromJson(p: ExecutionPayload): ExecutionPayloadValue {
  if (typeof p !== "object" || p === null || !Array.isArray(p.transactions))
    throw payloadError("not a payload object");
  const version = payloadVersion(p);
  const v1: ExecutionPayloadValue = {
    parentHash: data("parentHash", p.parentHash, 32),
    feeRecipient: data("feeRecipient", p.feeRecipient, 20),
    stateRoot: data("stateRoot", p.stateRoot, 32),
    receiptsRoot: data("receiptsRoot", p.receiptsRoot, 32),
    logsBloom: data("logsBloom", p.logsBloom, 256),
    prevRandao: data("prevRandao", p.prevRandao, 32),
    blockNumber: u64("blockNumber", p.blockNumber),
    gasLimit: u64("gasLimit", p.gasLimit),
    gasUsed: u64("gasUsed", p.gasUsed),
    timestamp: u64("timestamp", p.timestamp),
    extraData: data("extraData", p.extraData),
    baseFeePerGas: u256("baseFeePerGas", p.baseFeePerGas),
    blockHash: data("blockHash", p.blockHash, 32),
    transactions: p.transactions.map((t, i) => data(`transactions[${i}]`, t)),
  };
  if (version === 1) return v1;
  const v2 = p as ExecutionPayloadV2;
  if (!Array.isArray(v2.withdrawals)) throw payloadError("withdrawals must be an array");
  const withdrawals = v2.withdrawals.map(withdrawalFromJson);
  if (version === 2) return { ...v1, withdrawals };
  const v3 = p as ExecutionPayloadV3;
  return {
    ...v1,
    withdrawals,
    blobGasUsed: u64("blobGasUsed", v3.blobGasUsed),
    excessBlobGas: u64("excessBlobGas", v3.excessBlobGas),
  };
}
