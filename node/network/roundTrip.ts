/**
 * One request/response round trip on a libp2p protocol: dial, one request frame out, one response frame in.
 * The time limit covers the whole exchange (dial, write and read), not the dial alone, so a peer that
 * accepts the stream and never answers costs the asker `timeoutMs` at most. Used by the block sync
 * transport and by the consensus fetch client.
 *
 * Errors: NETWORK_UNREACHABLE when the dial or the stream fails; `timeoutCode` past the limit;
 * NETWORK_MESSAGE_TOO_LARGE for a response frame above `maxResponseBytes` (refused before it is buffered);
 * NETWORK_PROTOCOL when the stream ends without a whole frame; whatever `decode` throws for the frame
 * (NETWORK_DECODE, or NETWORK_PROTOCOL for an answer of the wrong kind). A malformed answer — too large,
 * truncated, undecodable, the wrong kind — costs the peer score (`penalize`); a timeout or an unreachable
 * peer does not: slowness is the caller's to judge.
 */
import type { PeerId, Stream } from "@libp2p/interface";
import { ErrorCode as Codes, type ErrorCode, FastEvmError } from "../core/errors.ts";
import { frame, readFrames } from "./framing.ts";
import type { Host } from "./host.ts";

export interface RoundTripLimits {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** the code of the timeout error (the sync manager tells slowness apart as SYNC_TIMEOUT) */
  readonly timeoutCode: ErrorCode;
}

export interface RoundTripHooks<T> {
  /** the response frame's payload as the caller's message; throws for a malformed or unexpected one */
  readonly decode: (frame: Uint8Array) => T;
  /** lowers the peer's score (a malformed answer) */
  readonly penalize: () => void;
  /** each frame's size, as sent and as received (the p2p metrics) */
  readonly count?: (direction: "in" | "out", bytes: number) => void;
}

const MALFORMED: readonly string[] = [
  Codes.NETWORK_DECODE,
  Codes.NETWORK_PROTOCOL,
  Codes.NETWORK_MESSAGE_TOO_LARGE,
];

/** Sends `request` (unframed) to `peer` on `protocol`; resolves to the decoded response. */
export async function roundTrip<T>(
  host: Host,
  peer: PeerId,
  protocol: string,
  request: Uint8Array,
  limits: RoundTripLimits,
  hooks: RoundTripHooks<T>,
): Promise<T> {
  let f: Uint8Array;
  try {
    f = await exchangeFrames(host, peer, protocol, request, limits, hooks.count);
    return hooks.decode(f);
  } catch (e) {
    if (e instanceof FastEvmError && MALFORMED.includes(e.code)) hooks.penalize();
    throw e;
  }
}

async function exchangeFrames(
  host: Host,
  peer: PeerId,
  protocol: string,
  request: Uint8Array,
  limits: RoundTripLimits,
  count: RoundTripHooks<unknown>["count"],
): Promise<Uint8Array> {
  const ctl = new AbortController();
  let stream: Stream | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => {
      ctl.abort();
      stream?.abort(new Error(`${protocol}: no answer in time`));
      fail(new FastEvmError(limits.timeoutCode, `${protocol} to ${peer.toString()}: no answer in time`));
    }, limits.timeoutMs);
  });
  const exchange = async (): Promise<Uint8Array> => {
    try {
      stream = await host.dialProtocol(peer, protocol, { signal: ctl.signal });
    } catch (e) {
      throw new FastEvmError(Codes.NETWORK_UNREACHABLE, `dial ${peer.toString()}: ${(e as Error).message}`);
    }
    try {
      const out = frame(request);
      stream.send(out);
      count?.("out", out.length);
      for await (const f of readFrames(stream, limits.maxResponseBytes)) {
        count?.("in", f.length);
        return f;
      }
      throw new FastEvmError(Codes.NETWORK_PROTOCOL, `${protocol}: stream closed without a response`);
    } catch (e) {
      if (e instanceof FastEvmError) throw e;
      throw new FastEvmError(Codes.NETWORK_UNREACHABLE, `${peer.toString()}: ${(e as Error).message}`);
    } finally {
      await stream.close().catch(() => {});
    }
  };
  const ex = exchange();
  // the loser of the race must not surface as an unhandled rejection
  ex.catch(() => {});
  try {
    return await Promise.race([ex, timeout]);
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
}
