/**
 * Block sync over libp2p (ARCHITECTURE §8; messages in node/core/wire/sync.ts):
 * - request/response on `/fastevm/sync/1`: one request frame (status, getBlockHeaders, getBlockBodies), one
 *   response frame of the matching kind; requests are at most `maxRequestBytes`, responses at most
 *   `maxResponseBytes` (refused before allocation, framing.ts), and a request gets `requestTimeoutMs` for the
 *   whole round trip (dial, write, read);
 * - announcements on the gossip topic `/fastevm/sync/heads/1` (`newBlockHashes`).
 * Whatever does not decode, comes in the wrong kind or is too large costs the sender score (`PeerScores`,
 * shared with consensus and transaction gossip); what decodes but is wrong for the chain (a broken header
 * link, a body off its roots) is the sync manager's to judge and penalise through the same scores.
 */
import "./polyfills.ts";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId, Stream } from "@libp2p/interface";
import { ErrorCode, FastEvmError, isFastEvmError } from "../core/errors.ts";
import {
  type AnnouncedBlock,
  type BlockBodies,
  type BlockHeaders,
  decodeSyncMessage,
  encodeSyncMessage,
  type GetBlockBodies,
  type GetBlockHeaders,
  MAX_ANNOUNCED,
  type NewBlockHashes,
  type SyncRequest,
  type SyncResponse,
  type SyncStatus,
} from "../core/wire/sync.ts";
import type { P2pMetrics } from "../metrics/metrics.ts";
import { frame, readFrames } from "./framing.ts";
import type { Host } from "./host.ts";
import type { PeerScores } from "./peerScores.ts";
import { roundTrip } from "./roundTrip.ts";

export const SYNC_PROTOCOL = "/fastevm/sync/1";
export const HEADS_TOPIC = "/fastevm/sync/heads/1";

/**
 * What a node serves from its chain (validators and full nodes alike: node/sync/chainServer.ts), or from
 * the execution node behind it (a split validator: node/sync/engineSyncChain.ts, hence the promises).
 */
export interface SyncServeHandlers {
  status(): SyncStatus | Promise<SyncStatus>;
  headers(req: GetBlockHeaders): BlockHeaders | Promise<BlockHeaders>;
  bodies(req: GetBlockBodies): BlockBodies | Promise<BlockBodies>;
}

export interface SyncTransportLimits {
  readonly requestTimeoutMs: number;
  readonly maxRequestBytes: number;
  /** hard cap of a response frame; servers aim at SOFT_RESPONSE_BYTES for bodies */
  readonly maxResponseBytes: number;
}

export const DEFAULT_SYNC_LIMITS: SyncTransportLimits = {
  requestTimeoutMs: 5000,
  maxRequestBytes: 64 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
};

export type AnnounceHandler = (from: string, blocks: readonly AnnouncedBlock[]) => void;

/** The response kind each request kind must get. */
const RESPONSE_KIND = {
  status: "status",
  getBlockHeaders: "blockHeaders",
  getBlockBodies: "blockBodies",
} as const;

type ResponseOf<R extends SyncRequest> = R extends SyncStatus
  ? SyncStatus
  : R extends GetBlockHeaders
    ? BlockHeaders
    : BlockBodies;

export class SyncTransport {
  readonly counters = { served: 0, refused: 0, requests: 0, timeouts: 0, announced: 0, announcements: 0 };
  #onAnnounce: AnnounceHandler | undefined;

  constructor(
    readonly host: Host,
    readonly scores: PeerScores,
    /** absent: this node answers no requests (it still asks and hears announcements) */
    private readonly serve: SyncServeHandlers | undefined,
    readonly limits: SyncTransportLimits = DEFAULT_SYNC_LIMITS,
    private readonly metrics?: P2pMetrics,
  ) {}

  #count(topic: string, direction: "in" | "out", bytes: number): void {
    this.metrics?.count(topic, direction, bytes);
  }

  /** Who hears announcements (the sync manager); one listener. */
  onAnnounce(handler: AnnounceHandler | undefined): void {
    this.#onAnnounce = handler;
  }

  async start(): Promise<void> {
    await this.host.handle(SYNC_PROTOCOL, (stream, conn) => this.#onRequest(stream, conn.remotePeer));
    const pubsub = this.host.services.pubsub;
    pubsub.topicValidators.set(HEADS_TOPIC, (peer, msg) => {
      const from = peer.toString();
      this.#count(HEADS_TOPIC, "in", msg.data.length);
      let m: ReturnType<typeof decodeSyncMessage>;
      try {
        m = decodeSyncMessage(msg.data);
      } catch {
        this.scores.penalize(from);
        return TopicValidatorResult.Reject;
      }
      if (m.kind !== "newBlockHashes") {
        this.scores.penalize(from);
        return TopicValidatorResult.Reject;
      }
      this.counters.announcements++;
      this.#onAnnounce?.(from, m.blocks);
      return TopicValidatorResult.Accept;
    });
    pubsub.subscribe(HEADS_TOPIC);
  }

  async stop(): Promise<void> {
    const pubsub = this.host.services.pubsub;
    pubsub.unsubscribe(HEADS_TOPIC);
    pubsub.topicValidators.delete(HEADS_TOPIC);
    await this.host.unhandle(SYNC_PROTOCOL).catch(() => {});
  }

  /** Announces new blocks by gossip (best effort: no subscriber yet is not an error). */
  async announce(blocks: readonly AnnouncedBlock[]): Promise<void> {
    if (blocks.length === 0) return;
    const msg: NewBlockHashes = { kind: "newBlockHashes", blocks: blocks.slice(-MAX_ANNOUNCED) };
    const bytes = encodeSyncMessage(msg);
    try {
      await this.host.services.pubsub.publish(HEADS_TOPIC, bytes);
      this.counters.announced++;
      this.#count(HEADS_TOPIC, "out", bytes.length);
    } catch {
      // no peer on the topic yet
    }
  }

  peerId(peer: string): PeerId | undefined {
    return this.host.getPeers().find((p) => p.toString() === peer);
  }

  /**
   * One round trip to `peer`. Rejects with SYNC_TIMEOUT past the limit (not penalised here: slowness is the
   * manager's call), NETWORK_UNREACHABLE when the peer is gone, and NETWORK_DECODE / NETWORK_PROTOCOL /
   * NETWORK_MESSAGE_TOO_LARGE for a malformed answer (penalised here).
   */
  async request<R extends SyncRequest>(peer: string, req: R): Promise<ResponseOf<R>> {
    const id = this.peerId(peer);
    if (id === undefined) throw new FastEvmError(ErrorCode.NETWORK_UNREACHABLE, `peer ${peer} not connected`);
    this.counters.requests++;
    try {
      return await roundTrip(
        this.host,
        id,
        SYNC_PROTOCOL,
        encodeSyncMessage(req),
        {
          timeoutMs: this.limits.requestTimeoutMs,
          maxResponseBytes: this.limits.maxResponseBytes,
          timeoutCode: ErrorCode.SYNC_TIMEOUT,
        },
        {
          decode: (f) => {
            const msg = decodeSyncMessage(f);
            if (msg.kind !== RESPONSE_KIND[req.kind])
              throw new FastEvmError(ErrorCode.NETWORK_PROTOCOL, `${req.kind} answered with ${msg.kind}`);
            return msg as ResponseOf<R>;
          },
          penalize: () => this.scores.penalize(peer),
          count: (direction, bytes) => this.#count(SYNC_PROTOCOL, direction, bytes),
        },
      );
    } catch (e) {
      if (isFastEvmError(e, ErrorCode.SYNC_TIMEOUT)) this.counters.timeouts++;
      throw e;
    }
  }

  async #onRequest(stream: Stream, peer: PeerId): Promise<void> {
    const from = peer.toString();
    try {
      for await (const f of readFrames(stream, this.limits.maxRequestBytes)) {
        this.#count(SYNC_PROTOCOL, "in", f.length);
        const msg = decodeSyncMessage(f);
        const serve = this.serve;
        if (serve === undefined) {
          // a node that does not serve just hangs up; not the asker's fault
          this.counters.refused++;
          stream.abort(new Error("not serving sync"));
          return;
        }
        let res: SyncResponse;
        if (msg.kind === "status") res = await serve.status();
        else if (msg.kind === "getBlockHeaders") res = await serve.headers(msg);
        else if (msg.kind === "getBlockBodies") res = await serve.bodies(msg);
        else throw new FastEvmError(ErrorCode.NETWORK_PROTOCOL, `unexpected ${msg.kind} as a request`);
        const out = frame(encodeSyncMessage(res));
        stream.send(out);
        this.counters.served++;
        this.#count(SYNC_PROTOCOL, "out", out.length);
        break;
      }
      await stream.close();
    } catch (e) {
      this.counters.refused++;
      // the asker's fault only when its request was malformed; a store read failing here is ours
      if (e instanceof FastEvmError && e.code.startsWith("NETWORK_")) this.scores.penalize(from);
      stream.abort(new Error("sync request refused"));
    }
  }
}
