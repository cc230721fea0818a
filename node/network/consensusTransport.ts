/**
 * Consensus messaging over libp2p:
 * - block broadcast: one long-lived direct stream per peer (`/fastevm/consensus/block/1`, a frame per block;
 *   opened on first use, opened again after it closes or fails, as Mysticeti keeps one block stream per
 *   peer — a stream per block cost a dial, a protocol negotiation and peer-store work each time) and the
 *   gossipsub topic `/fastevm/consensus/blocks/1`; receivers de-duplicate by digest;
 * - fetch: request/response on `/fastevm/consensus/fetch/1` (one request frame, one response frame).
 * Every inbound message has an explicit size limit; undecodable or rejected messages lower the sender's
 * score (`PeerScores`, shared with the node's other protocols), and a peer whose score falls below
 * `MIN_SCORE` is disconnected.
 */
import "./polyfills.ts";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId, Stream } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import type {
  FetchBlocksRequest,
  FetchBlocksResponse,
  FetchCommitsRequest,
  FetchCommitsResponse,
  FetchLatestBlockRequest,
} from "../core/wire/consensus.ts";
import type { P2pMetrics } from "../metrics/metrics.ts";
import { decodeConsensusMessage, encodeConsensusMessage } from "./consensusCodec.ts";
import { frame, readFrames } from "./framing.ts";
import type { Host } from "./host.ts";
import { PeerScores } from "./peerScores.ts";
import { roundTrip } from "./roundTrip.ts";

export const CONSENSUS_PROTOCOLS = {
  block: "/fastevm/consensus/block/1",
  fetch: "/fastevm/consensus/fetch/1",
} as const;
export const BLOCK_TOPIC = "/fastevm/consensus/blocks/1";

export type BlockVerdict = "accept" | "ignore" | "reject";

export type FetchRequest = FetchBlocksRequest | FetchLatestBlockRequest | FetchCommitsRequest;

export interface TransportHandlers {
  /** a block from `from` (bytes as signed); returns how the sender should be scored */
  onBlock(from: string, block: Uint8Array): BlockVerdict;
  /** serves a fetch; throw to refuse */
  onFetch(from: string, request: FetchRequest): FetchBlocksResponse | FetchCommitsResponse;
}

export interface TransportLimits {
  readonly maxBlockBytes: number;
  readonly maxResponseBytes: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxBlockBytes: 4 * 1024 * 1024 + 64 * 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  requestTimeoutMs: 2000,
};

/** A peer's outbound block stream: while it is being opened, and once open. */
interface BlockStreamEntry {
  readonly opening: Promise<Stream>;
  stream?: Stream;
}

export class ConsensusTransport {
  /** shared with the node's other protocols (transaction gossip) */
  readonly scores: PeerScores;
  /** the asking side of the fetch protocol */
  readonly fetcher: ConsensusFetchClient;
  /** the outbound block stream of each peer (at most one per connected peer), dropped when it closes */
  readonly #blockStreams = new Map<string, BlockStreamEntry>();

  constructor(
    readonly host: Host,
    private readonly handlers: TransportHandlers,
    private readonly limits: TransportLimits = DEFAULT_TRANSPORT_LIMITS,
    scores?: PeerScores,
    /** the process's peer-to-peer metrics: peers, messages and bytes by protocol/topic, scores */
    private readonly metrics?: P2pMetrics,
  ) {
    this.scores = scores ?? new PeerScores(host, metrics);
    this.fetcher = new ConsensusFetchClient(host, this.scores, limits, metrics);
    metrics?.peers.addCollect((g) => g.set(host.getPeers().length));
  }

  private count(topic: string, direction: "in" | "out", bytes: number): void {
    this.metrics?.count(topic, direction, bytes);
  }

  async start(): Promise<void> {
    await this.host.handle(CONSENSUS_PROTOCOLS.block, (stream, conn) =>
      this.onBlockStream(stream, conn.remotePeer),
    );
    await this.host.handle(CONSENSUS_PROTOCOLS.fetch, (stream, conn) =>
      this.onFetchStream(stream, conn.remotePeer),
    );
    const pubsub = this.host.services.pubsub;
    pubsub.topicValidators.set(BLOCK_TOPIC, (peer, msg) => {
      const verdict = this.receiveBlock(peer.toString(), msg.data, BLOCK_TOPIC);
      this.metrics?.verdicts.inc({ topic: BLOCK_TOPIC, verdict });
      return verdict === "accept"
        ? TopicValidatorResult.Accept
        : verdict === "ignore"
          ? TopicValidatorResult.Ignore
          : TopicValidatorResult.Reject;
    });
    pubsub.subscribe(BLOCK_TOPIC);
  }

  async dial(addr: string): Promise<void> {
    await this.host.dial(multiaddr(addr));
  }

  score(peer: string): number {
    return this.scores.score(peer);
  }

  /** Sends `block` to every connected peer on a direct stream and publishes it on the gossip topic. */
  async broadcastBlock(block: Uint8Array): Promise<void> {
    // encoded and framed once for every peer and the topic
    const msg = encodeConsensusMessage({ kind: "block", block });
    const f = frame(msg);
    await Promise.allSettled(this.host.getPeers().map((p) => this.#sendFrame(p, f)));
    if (this.host.services.pubsub.getSubscribers(BLOCK_TOPIC).length > 0) {
      await this.host.services.pubsub.publish(BLOCK_TOPIC, msg);
      this.count(BLOCK_TOPIC, "out", msg.length);
    }
  }

  /**
   * Sends `block` on the peer's block stream. A stream that fails or has closed is dropped and the block
   * sent once more on a new one; a peer that does not drain its stream within the request timeout has the
   * stream aborted (what was queued is lost: the peer fetches missing blocks itself).
   */
  sendBlock(peer: PeerId, block: Uint8Array): Promise<void> {
    return this.#sendFrame(peer, frame(encodeConsensusMessage({ kind: "block", block })));
  }

  async #sendFrame(peer: PeerId, f: Uint8Array): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const stream = await this.#blockStream(peer);
      try {
        if (stream.writeStatus !== "writable")
          throw new FastEvmError(ErrorCode.NETWORK_PROTOCOL, "stream closed");
        if (!stream.send(f))
          await stream.onDrain({ signal: AbortSignal.timeout(this.limits.requestTimeoutMs) });
        this.count(CONSENSUS_PROTOCOLS.block, "out", f.length);
        return;
      } catch (e) {
        this.#dropBlockStream(peer.toString(), stream);
        stream.abort(e instanceof Error ? e : new Error(String(e)));
        if (attempt >= 1) throw e;
      }
    }
  }

  #blockStream(peer: PeerId): Promise<Stream> {
    const key = peer.toString();
    const have = this.#blockStreams.get(key);
    if (have !== undefined) return have.opening;
    const entry: BlockStreamEntry = {
      opening: this.host.dialProtocol(peer, CONSENSUS_PROTOCOLS.block).then((stream) => {
        entry.stream = stream;
        stream.addEventListener("close", () => this.#dropBlockStream(key, stream), { once: true });
        return stream;
      }),
    };
    this.#blockStreams.set(key, entry);
    entry.opening.catch(() => {
      if (this.#blockStreams.get(key) === entry) this.#blockStreams.delete(key);
    });
    return entry.opening;
  }

  #dropBlockStream(key: string, stream: Stream): void {
    if (this.#blockStreams.get(key)?.stream === stream) this.#blockStreams.delete(key);
  }

  /** Closes the outbound block streams (the peers' reads end cleanly). */
  async closeBlockStreams(): Promise<void> {
    const all = [...this.#blockStreams.values()];
    this.#blockStreams.clear();
    await Promise.allSettled(all.map(async (e) => (await e.opening).close()));
  }

  /** Fetches blocks (or the author's latest block) from `peer`. */
  request(peer: PeerId, req: FetchBlocksRequest | FetchLatestBlockRequest): Promise<FetchBlocksResponse> {
    return this.fetcher.request(peer, req);
  }

  /** Fetches a certified commit range from `peer`. */
  requestCommits(peer: PeerId, req: FetchCommitsRequest): Promise<FetchCommitsResponse> {
    return this.fetcher.requestCommits(peer, req);
  }

  private receiveBlock(from: string, bytes: Uint8Array, topic: string): BlockVerdict {
    this.count(topic, "in", bytes.length);
    let verdict: BlockVerdict;
    try {
      const msg = decodeConsensusMessage(bytes);
      verdict = msg.kind === "block" ? this.handlers.onBlock(from, msg.block) : "reject";
    } catch {
      verdict = "reject";
    }
    if (verdict === "reject") this.penalize(from);
    return verdict;
  }

  private async onBlockStream(stream: Stream, peer: PeerId): Promise<void> {
    try {
      for await (const f of readFrames(stream, this.limits.maxBlockBytes))
        this.receiveBlock(peer.toString(), f, CONSENSUS_PROTOCOLS.block);
    } catch {
      this.penalize(peer.toString());
      stream.abort(new Error("invalid block stream"));
      return;
    }
    await stream.close().catch(() => {});
  }

  private async onFetchStream(stream: Stream, peer: PeerId): Promise<void> {
    try {
      for await (const f of readFrames(stream, 1024 * 1024)) {
        this.count(CONSENSUS_PROTOCOLS.fetch, "in", f.length);
        const msg = decodeConsensusMessage(f);
        if (msg.kind !== "fetchBlocks" && msg.kind !== "fetchLatestBlock" && msg.kind !== "fetchCommits") {
          throw new FastEvmError(ErrorCode.NETWORK_PROTOCOL, `unexpected ${msg.kind} on the fetch protocol`);
        }
        const out = frame(encodeConsensusMessage(this.handlers.onFetch(peer.toString(), msg)));
        stream.send(out);
        this.count(CONSENSUS_PROTOCOLS.fetch, "out", out.length);
        break;
      }
      await stream.close();
    } catch {
      this.penalize(peer.toString());
      stream.abort(new Error("invalid fetch request"));
    }
  }

  private penalize(peer: string): void {
    this.scores.penalize(peer);
  }
}

/**
 * The asking side of `/fastevm/consensus/fetch/1`, on its own: validators use it through
 * `ConsensusTransport`, a full node (which takes part in no consensus) asks validators for commit
 * certificates with it. One request frame, one response frame, `requestTimeoutMs` for the whole round trip.
 * A malformed or mismatched answer costs the peer score; a timeout or an unreachable peer does not.
 */
export class ConsensusFetchClient {
  constructor(
    readonly host: Host,
    readonly scores: PeerScores,
    private readonly limits: TransportLimits = DEFAULT_TRANSPORT_LIMITS,
    private readonly metrics?: P2pMetrics,
  ) {}

  request(peer: PeerId, req: FetchBlocksRequest | FetchLatestBlockRequest): Promise<FetchBlocksResponse> {
    return this.roundTrip(peer, req, "fetchBlocksResponse");
  }

  requestCommits(peer: PeerId, req: FetchCommitsRequest): Promise<FetchCommitsResponse> {
    return this.roundTrip(peer, req, "fetchCommitsResponse");
  }

  private roundTrip<K extends (FetchBlocksResponse | FetchCommitsResponse)["kind"]>(
    peer: PeerId,
    req: FetchRequest,
    expected: K,
  ): Promise<Extract<FetchBlocksResponse | FetchCommitsResponse, { kind: K }>> {
    const m = this.metrics;
    return roundTrip(
      this.host,
      peer,
      CONSENSUS_PROTOCOLS.fetch,
      encodeConsensusMessage(req),
      {
        timeoutMs: this.limits.requestTimeoutMs,
        maxResponseBytes: this.limits.maxResponseBytes,
        timeoutCode: ErrorCode.NETWORK_TIMEOUT,
      },
      {
        decode: (f) => {
          const msg = decodeConsensusMessage(f);
          if (msg.kind !== expected)
            throw new FastEvmError(ErrorCode.NETWORK_PROTOCOL, `${req.kind} answered with ${msg.kind}`);
          return msg as Extract<FetchBlocksResponse | FetchCommitsResponse, { kind: K }>;
        },
        penalize: () => this.scores.penalize(peer.toString()),
        count: (direction, bytes) => m?.count(CONSENSUS_PROTOCOLS.fetch, direction, bytes),
      },
    );
  }
}
