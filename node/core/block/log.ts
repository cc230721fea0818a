/** An EVM log entry and its RLP form `[address, [topics…], data]`. */
import { ErrorCode, FastEvmError } from "../errors.ts";
import { type RlpInput, type RlpItem, rlpBytes, rlpFixedBytes, rlpList } from "../rlp.ts";

export interface Log {
  /** 20-byte emitting contract */
  readonly address: Uint8Array;
  /** 0 to 4 topics of 32 bytes */
  readonly topics: readonly Uint8Array[];
  readonly data: Uint8Array;
}

export function logToRlpInput(l: Log): RlpInput {
  return [l.address, l.topics, l.data];
}

export function logFromRlpItem(item: RlpItem): Log {
  const f = rlpList(item, "log");
  if (f.length !== 3)
    throw new FastEvmError(ErrorCode.RECEIPT_DECODE, `invalid log: ${f.length} fields, expected 3`);
  const topics = rlpList(f[1], "log.topics").map((t) => rlpFixedBytes(t, 32, "log.topic"));
  if (topics.length > 4)
    throw new FastEvmError(ErrorCode.RECEIPT_DECODE, `invalid log: ${topics.length} topics`);
  return { address: rlpFixedBytes(f[0], 20, "log.address"), topics, data: rlpBytes(f[2], "log.data") };
}
