/**
 * The commit stamp in an EVM block's `extraData`: which consensus commit produced the block. It is what
 * makes execution idempotent by commit index: after any crash the driver reads the head block's stamp and
 * skips every commit at or below it. Layout (20 bytes, within the 32-byte extraData limit):
 *   "fevm" (4 bytes) ‖ commit index (u64 big-endian) ‖ commit timestamp in ms (u64 big-endian).
 */
const MAGIC = new TextEncoder().encode("fevm");
export const COMMIT_STAMP_LENGTH = 20;

export interface CommitStamp {
  readonly index: number;
  readonly timestampMs: number;
}

export function encodeCommitStamp(s: CommitStamp): Uint8Array {
  const out = new Uint8Array(COMMIT_STAMP_LENGTH);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setBigUint64(4, BigInt(s.index));
  view.setBigUint64(12, BigInt(s.timestampMs));
  return out;
}

/** The stamp in `extraData`, or undefined when the block was not produced by the driver (e.g. genesis). */
export function decodeCommitStamp(extraData: Uint8Array): CommitStamp | undefined {
  if (extraData.length !== COMMIT_STAMP_LENGTH) return undefined;
  for (let i = 0; i < MAGIC.length; i++) if (extraData[i] !== MAGIC[i]) return undefined;
  const view = new DataView(extraData.buffer, extraData.byteOffset, extraData.byteLength);
  const index = view.getBigUint64(4);
  const timestampMs = view.getBigUint64(12);
  if (index > BigInt(Number.MAX_SAFE_INTEGER) || timestampMs > BigInt(Number.MAX_SAFE_INTEGER))
    return undefined;
  return { index: Number(index), timestampMs: Number(timestampMs) };
}
