/**
 * Block header (Yellow Paper §4.3 plus the fork additions up to Cancun) and its strict RLP codec.
 * Fork fields are trailing and optional: London adds `baseFeePerGas`, Shanghai `withdrawalsRoot`, Cancun
 * `blobGasUsed`, `excessBlobGas` and `parentBeaconBlockRoot`. A later one is only valid with all earlier ones.
 */
import { ErrorCode, FastEvmError, isFastEvmError } from "../errors.ts";
import { keccak256 } from "../hash.ts";
import {
  decodeRlp,
  encodeRlp,
  type RlpInput,
  type RlpItem,
  rlpBigint,
  rlpBytes,
  rlpFixedBytes,
  rlpList,
} from "../rlp.ts";

export interface BlockHeader {
  readonly parentHash: Uint8Array;
  /** keccak256(rlp([])) after the merge */
  readonly ommersHash: Uint8Array;
  /** 20-byte fee recipient (`feeRecipient` in the Engine API, `miner` in JSON-RPC) */
  readonly coinbase: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly transactionsRoot: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  /** 256 bytes */
  readonly logsBloom: Uint8Array;
  readonly difficulty: bigint;
  readonly number: bigint;
  readonly gasLimit: bigint;
  readonly gasUsed: bigint;
  readonly timestamp: bigint;
  readonly extraData: Uint8Array;
  /** `prevRandao` after the merge */
  readonly mixHash: Uint8Array;
  /** 8 bytes, zero after the merge */
  readonly nonce: Uint8Array;
  /** London (EIP-1559) */
  readonly baseFeePerGas?: bigint;
  /** Shanghai (EIP-4895) */
  readonly withdrawalsRoot?: Uint8Array;
  /** Cancun (EIP-4844) */
  readonly blobGasUsed?: bigint;
  /** Cancun (EIP-4844) */
  readonly excessBlobGas?: bigint;
  /** Cancun (EIP-4788) */
  readonly parentBeaconBlockRoot?: Uint8Array;
}

/** Field counts a header may have: pre-London, London, Shanghai, Cancun. */
const VALID_FIELD_COUNTS = [15, 16, 17, 20] as const;

/** keccak256(rlp([])): the ommers hash of every post-merge block. */
export const EMPTY_OMMERS_HASH: Uint8Array = keccak256(encodeRlp([]));

function headerError(message: string, cause?: unknown): FastEvmError {
  const meta = isFastEvmError(cause) ? { cause: cause.code } : undefined;
  return new FastEvmError(ErrorCode.HEADER_DECODE, `invalid header: ${message}`, meta, { cause });
}

/** The header as an RLP list, trailing fork fields included up to the last one present. */
export function headerToRlpInput(h: BlockHeader): RlpInput[] {
  const fields: RlpInput[] = [
    h.parentHash,
    h.ommersHash,
    h.coinbase,
    h.stateRoot,
    h.transactionsRoot,
    h.receiptsRoot,
    h.logsBloom,
    h.difficulty,
    h.number,
    h.gasLimit,
    h.gasUsed,
    h.timestamp,
    h.extraData,
    h.mixHash,
    h.nonce,
  ];
  const optional = [
    h.baseFeePerGas,
    h.withdrawalsRoot,
    h.blobGasUsed,
    h.excessBlobGas,
    h.parentBeaconBlockRoot,
  ];
  let count = 0;
  while (count < optional.length && optional[count] !== undefined) count++;
  if (optional.slice(count).some((v) => v !== undefined)) {
    throw new FastEvmError(
      ErrorCode.INVALID_ARGUMENT,
      "header has a fork field without the fields of earlier forks",
    );
  }
  for (let i = 0; i < count; i++) fields.push(optional[i]!);
  if (!(VALID_FIELD_COUNTS as readonly number[]).includes(fields.length)) {
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, `header with ${fields.length} fields matches no fork`);
  }
  return fields;
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return encodeRlp(headerToRlpInput(h));
}

/** Block hash: keccak256 of the RLP-encoded header. */
export function headerHash(h: BlockHeader): Uint8Array {
  return keccak256(encodeHeader(h));
}

const U64 = 8;

/** Header from an already-decoded RLP item (as found inside a block). Errors are `HEADER_DECODE`. */
export function headerFromRlpItem(item: RlpItem): BlockHeader {
  try {
    const f = rlpList(item, "header");
    if (!(VALID_FIELD_COUNTS as readonly number[]).includes(f.length)) {
      throw headerError(`${f.length} fields (expected one of ${VALID_FIELD_COUNTS.join(", ")})`);
    }
    const base = {
      parentHash: rlpFixedBytes(f[0], 32, "parentHash"),
      ommersHash: rlpFixedBytes(f[1], 32, "ommersHash"),
      coinbase: rlpFixedBytes(f[2], 20, "coinbase"),
      stateRoot: rlpFixedBytes(f[3], 32, "stateRoot"),
      transactionsRoot: rlpFixedBytes(f[4], 32, "transactionsRoot"),
      receiptsRoot: rlpFixedBytes(f[5], 32, "receiptsRoot"),
      logsBloom: rlpFixedBytes(f[6], 256, "logsBloom"),
      difficulty: rlpBigint(f[7], "difficulty"),
      number: rlpBigint(f[8], "number", U64),
      gasLimit: rlpBigint(f[9], "gasLimit", U64),
      gasUsed: rlpBigint(f[10], "gasUsed", U64),
      timestamp: rlpBigint(f[11], "timestamp", U64),
      extraData: rlpBytes(f[12], "extraData"),
      mixHash: rlpFixedBytes(f[13], 32, "mixHash"),
      nonce: rlpFixedBytes(f[14], 8, "nonce"),
    };
    if (f.length === 15) return base;
    const london = { ...base, baseFeePerGas: rlpBigint(f[15], "baseFeePerGas") };
    if (f.length === 16) return london;
    const shanghai = { ...london, withdrawalsRoot: rlpFixedBytes(f[16], 32, "withdrawalsRoot") };
    if (f.length === 17) return shanghai;
    return {
      ...shanghai,
      blobGasUsed: rlpBigint(f[17], "blobGasUsed", U64),
      excessBlobGas: rlpBigint(f[18], "excessBlobGas", U64),
      parentBeaconBlockRoot: rlpFixedBytes(f[19], 32, "parentBeaconBlockRoot"),
    };
  } catch (e) {
    if (isFastEvmError(e, ErrorCode.HEADER_DECODE)) throw e;
    if (isFastEvmError(e)) throw headerError(e.message, e);
    throw e;
  }
}

/** Strict decode of an RLP-encoded header. */
export function decodeHeader(data: Uint8Array): BlockHeader {
  let item: RlpItem;
  try {
    item = decodeRlp(data);
  } catch (e) {
    if (isFastEvmError(e)) throw headerError(e.message, e);
    throw e;
  }
  return headerFromRlpItem(item);
}
