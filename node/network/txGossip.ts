/**
 * Transaction gossip over gossipsub (topic `/fastevm/txs/1`, ARCHITECTURE §8): a node relays the
 * transactions it admitted in batches (one RLP list of raw transactions per message, at most
 * `maxBatchTxs` and `maxBatchBytes`), and validates what it receives through its pool:
 * - accept: at least one transaction was new and valid (gossipsub forwards the message);
 * - ignore: everything was already known (or was refused for a reason that is not the sender's fault,
 *   such as a full pool);
 * - reject: the batch does not decode, or carries an invalid transaction (bad signature, wrong chain,
 *   malformed): the sender's score drops (`PeerScores`, shared with consensus).
 * Messages above the topic's size limit are refused by gossipsub before they reach the validator.
 */
import "./polyfills.ts";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { decodeRlp, encodeRlp } from "../core/rlp.ts";
import type { TxBatch, TxBatchVerdict } from "../core/wire/txpool.ts";
import type { P2pMetrics } from "../metrics/metrics.ts";
import type { Host } from "./host.ts";
import type { PeerScores } from "./peerScores.ts";

export const TX_TOPIC = "/fastevm/txs/1";

export interface TxGossipLimits {
  /** transactions per batch */
  readonly maxBatchTxs: number;
  /** bytes per batch (the raw transactions' total; the RLP framing adds a few bytes) */
  readonly maxBatchBytes: number;
}

/** 1 MiB batches: far below the host's gossip message cap (8 MiB), a few hundred ordinary transactions. */
export const DEFAULT_TX_GOSSIP_LIMITS: TxGossipLimits = { maxBatchTxs: 1024, maxBatchBytes: 1 << 20 };

export function encodeTxBatch(b: TxBatch): Uint8Array {
  return encodeRlp([...b.txs]);
}

/** Strict decoding: a list of non-empty byte strings within the limits, nothing else. */
export function decodeTxBatch(bytes: Uint8Array, limits: TxGossipLimits = DEFAULT_TX_GOSSIP_LIMITS): TxBatch {
  if (bytes.length > limits.maxBatchBytes + 16 * 1024)
    throw new FastEvmError(ErrorCode.NETWORK_MESSAGE_TOO_LARGE, `tx batch of ${bytes.length} bytes`);
  const item = decodeRlp(bytes);
  if (!Array.isArray(item)) throw new FastEvmError(ErrorCode.NETWORK_DECODE, "tx batch is not a list");
  if (item.length === 0 || item.length > limits.maxBatchTxs)
    throw new FastEvmError(ErrorCode.NETWORK_DECODE, `tx batch of ${item.length} transactions`);
  const txs: Uint8Array[] = [];
  for (const t of item) {
    if (!(t instanceof Uint8Array) || t.length === 0)
      throw new FastEvmError(ErrorCode.NETWORK_DECODE, "tx batch entry is not a transaction");
    // a compact copy: a view into the message would drag the whole message into every thread hop
    txs.push(new Uint8Array(t));
  }
  return { txs };
}

/** Splits `txs` into batches within `limits` (a transaction larger than a batch travels alone). */
export function batchTransactions(
  txs: readonly Uint8Array[],
  limits: TxGossipLimits = DEFAULT_TX_GOSSIP_LIMITS,
): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  let bytes = 0;
  for (const t of txs) {
    if (cur.length > 0 && (cur.length >= limits.maxBatchTxs || bytes + t.length > limits.maxBatchBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(t);
    bytes += t.length;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export interface TxGossipHandlers {
  /**
   * Validates and admits a received batch. `origin` is the peer that published it (gossipsub signs
   * messages with the publisher's key), `from` the one that forwarded it to us (and is scored).
   */
  onTransactions(origin: string, batch: TxBatch, from: string): Promise<TxBatchVerdict>;
}

export class TxGossip {
  readonly counters = { sent: 0, received: 0, accepted: 0, ignored: 0, rejected: 0 };

  constructor(
    private readonly host: Host,
    private readonly scores: PeerScores,
    private readonly handlers: TxGossipHandlers,
    private readonly limits: TxGossipLimits = DEFAULT_TX_GOSSIP_LIMITS,
    /** the process's peer-to-peer metrics: messages and bytes on the topic, verdicts */
    private readonly metrics?: P2pMetrics,
  ) {}

  #count(direction: "in" | "out", bytes: number): void {
    this.metrics?.count(TX_TOPIC, direction, bytes);
  }

  start(): void {
    const pubsub = this.host.services.pubsub;
    pubsub.topicValidators.set(TX_TOPIC, async (peer, msg) => {
      const from = peer.toString();
      const origin = msg.type === "signed" ? msg.from.toString() : from;
      this.counters.received++;
      this.#count("in", msg.data.length);
      let verdict: TxBatchVerdict;
      try {
        verdict = await this.handlers.onTransactions(origin, decodeTxBatch(msg.data, this.limits), from);
      } catch {
        verdict = "reject";
      }
      this.metrics?.verdicts.inc({ topic: TX_TOPIC, verdict });
      if (verdict === "reject") {
        this.counters.rejected++;
        this.scores.penalize(from);
        return TopicValidatorResult.Reject;
      }
      if (verdict === "ignore") {
        this.counters.ignored++;
        return TopicValidatorResult.Ignore;
      }
      this.counters.accepted++;
      return TopicValidatorResult.Accept;
    });
    pubsub.subscribe(TX_TOPIC);
  }

  stop(): void {
    const pubsub = this.host.services.pubsub;
    pubsub.unsubscribe(TX_TOPIC);
    pubsub.topicValidators.delete(TX_TOPIC);
  }

  /** Publishes `txs` in batches; resolves when handed to gossipsub (never rejects: gossip is best effort). */
  async publish(txs: readonly Uint8Array[]): Promise<void> {
    const pubsub = this.host.services.pubsub;
    for (const batch of batchTransactions(txs, this.limits)) {
      try {
        const msg = encodeTxBatch({ txs: batch });
        await pubsub.publish(TX_TOPIC, msg);
        this.counters.sent += batch.length;
        this.#count("out", msg.length);
      } catch {
        // no subscribed peer yet, or a duplicate message id: the next batch goes on
      }
    }
  }
}
