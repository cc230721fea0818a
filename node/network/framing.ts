/**
 * Length-prefixed framing for request/response and direct-stream protocols: a 4-byte big-endian length,
 * then the payload. Frames above `maxBytes` are refused before any allocation, so a peer cannot make us
 * buffer arbitrary amounts.
 */
import { ErrorCode, FastEvmError } from "../core/errors.ts";

export interface Chunk {
  readonly byteLength: number;
  subarray(start?: number, end?: number): Uint8Array;
}

export function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

/** Reads length-prefixed frames from a stream of chunks (Uint8Array or Uint8ArrayList). */
export async function* readFrames(
  source: AsyncIterable<Chunk>,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(0);
  for await (const chunk of source) {
    const c = chunk.subarray();
    const merged = new Uint8Array(buf.length + c.length);
    merged.set(buf);
    merged.set(c, buf.length);
    buf = merged;
    for (;;) {
      if (buf.length < 4) break;
      const len = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0);
      if (len > maxBytes) {
        throw new FastEvmError(
          ErrorCode.NETWORK_MESSAGE_TOO_LARGE,
          `frame of ${len} bytes exceeds ${maxBytes}`,
        );
      }
      if (buf.length < 4 + len) break;
      yield buf.slice(4, 4 + len);
      buf = buf.subarray(4 + len);
    }
  }
  if (buf.length > 0) throw new FastEvmError(ErrorCode.NETWORK_PROTOCOL, "stream ended inside a frame");
}
