/**
 * engine_newPayload's stateless checks, in the spec's order (paris.md §newPayload): transactions (each
 * non-empty and decodable) and extraData, then the block hash of the header rebuilt from the payload; the
 * blob versioned hashes are collected for the caller's comparison. Pure: runs in the payload pool.
 */
import { payloadToBlock } from "../../node/core/block/payload.ts";
import { equalBytes } from "../../node/core/bytes.ts";
import { MAX_EXTRA_DATA_BYTES } from "../../node/core/chain/params.ts";
import { ErrorCode, isFastEvmError } from "../../node/core/errors.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { decodeTransaction } from "../../node/core/tx/decode.ts";
import type { PayloadCheckResult, PayloadCheckTask } from "../../node/core/wire/payload.ts";

export function checkPayload(task: PayloadCheckTask): PayloadCheckResult {
  const p = task.payload;
  const blobVersionedHashes: Uint8Array[] = [];
  for (const [i, hex] of p.transactions.entries()) {
    let raw: Uint8Array;
    try {
      raw = hexToBytes(hex);
    } catch (e) {
      return { ok: false, kind: "params", message: `transactions[${i}]: ${(e as Error).message}` };
    }
    if (raw.length === 0) return { ok: false, kind: "invalid", message: `transaction ${i} is empty` };
    try {
      const tx = decodeTransaction(raw);
      if (tx.type === 3) blobVersionedHashes.push(...tx.blobVersionedHashes);
    } catch (e) {
      return { ok: false, kind: "invalid", message: `transaction ${i}: ${(e as Error).message}` };
    }
  }
  let extra: Uint8Array;
  try {
    extra = hexToBytes(p.extraData);
  } catch (e) {
    return { ok: false, kind: "params", message: `extraData: ${(e as Error).message}` };
  }
  if (extra.length > MAX_EXTRA_DATA_BYTES)
    return {
      ok: false,
      kind: "invalid",
      message: `extraData is ${extra.length} bytes, max ${MAX_EXTRA_DATA_BYTES}`,
    };
  let rebuilt: ReturnType<typeof payloadToBlock>;
  try {
    rebuilt = payloadToBlock(p, task.parentBeaconBlockRoot ?? undefined);
  } catch (e) {
    if (isFastEvmError(e, ErrorCode.PAYLOAD_INVALID))
      return { ok: false, kind: "params", message: e.message };
    throw e;
  }
  const claimed = hexToBytes(p.blockHash, 32);
  if (!equalBytes(claimed, rebuilt.blockHash))
    return {
      ok: false,
      kind: "hash",
      message: `block hash ${p.blockHash} != computed ${bytesToHex(rebuilt.blockHash)}`,
    };
  return { ok: true, block: rebuilt.block, blockHash: rebuilt.blockHash, blobVersionedHashes };
}
