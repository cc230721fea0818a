/**
 * Transaction gossip: the batch codec's strictness and limits, batching, and two real libp2p hosts
 * (TCP + noise + yamux + gossipsub) on loopback: a published batch reaches the other host's handler with the
 * publisher as origin; a batch the handler rejects, or one that does not decode, costs the sender score.
 */
import "../../../../node/network/polyfills.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { encodeRlp } from "../../../../node/core/rlp.ts";
import type { TxBatch, TxBatchVerdict } from "../../../../node/core/wire/txpool.ts";
import { createHost, type Host } from "../../../../node/network/host.ts";
import { INVALID_PENALTY, PeerScores } from "../../../../node/network/peerScores.ts";
import {
  batchTransactions,
  decodeTxBatch,
  encodeTxBatch,
  TX_TOPIC,
  TxGossip,
} from "../../../../node/network/txGossip.ts";

const tx = (n: number, len = 100) => new Uint8Array(len).fill(n);

describe("tx batch codec", () => {
  it("round-trips", () => {
    const b = { txs: [tx(1), tx(2, 3000)] };
    expect(decodeTxBatch(encodeTxBatch(b))).toEqual(b);
  });

  it.each([
    ["not a list", encodeRlp(tx(1))],
    ["an empty list", encodeRlp([])],
    ["a nested list", encodeRlp([tx(1), [tx(2)]])],
    ["an empty transaction", encodeRlp([tx(1), new Uint8Array(0)])],
    ["trailing bytes", new Uint8Array([...encodeRlp([tx(1)]), 0])],
    ["garbage", new Uint8Array([0xff, 0x01])],
  ])("refuses %s with a typed error", (_what, bytes) => {
    let err: unknown;
    try {
      decodeTxBatch(bytes);
    } catch (e) {
      err = e;
    }
    expect(isFastEvmError(err)).toBe(true);
  });

  it("refuses batches over the count and byte limits before building them", () => {
    const limits = { maxBatchTxs: 2, maxBatchBytes: 1000 };
    expect(() => decodeTxBatch(encodeTxBatch({ txs: [tx(1), tx(2), tx(3)] }), limits)).toThrow(
      /3 transactions/,
    );
    expect(() => decodeTxBatch(encodeTxBatch({ txs: [tx(1, 20_000)] }), limits)).toThrow(/bytes/);
  });

  it("batches within the limits, keeping order; an oversized transaction travels alone", () => {
    const limits = { maxBatchTxs: 3, maxBatchBytes: 250 };
    const txs = [tx(1), tx(2), tx(3, 300), tx(4), tx(5), tx(6), tx(7)];
    const batches = batchTransactions(txs, limits);
    expect(batches.map((b) => b.map((t) => t[0]))).toEqual([[1, 2], [3], [4, 5], [6, 7]]);
    expect(batches.flat()).toEqual(txs);
  });
});

interface Side {
  host: Host;
  scores: PeerScores;
  gossip: TxGossip;
  got: { origin: string; from: string; batch: TxBatch }[];
  verdict: TxBatchVerdict;
}
const sides: Side[] = [];

async function makeSide(seed: number): Promise<Side> {
  const host = (await createHost({
    networkKey: new Uint8Array(32).fill(seed),
    listen: ["/ip4/127.0.0.1/tcp/0"],
    maxGossipBytes: 2 << 20,
  })) as Host;
  const scores = new PeerScores(host);
  const side = { host, scores, got: [], verdict: "accept" } as unknown as Side;
  side.gossip = new TxGossip(host, scores, {
    onTransactions: async (origin, batch, from) => {
      side.got.push({ origin, from, batch });
      return side.verdict;
    },
  });
  side.gossip.start();
  return side;
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe("TxGossip over libp2p (loopback)", () => {
  beforeAll(async () => {
    sides.push(await makeSide(7), await makeSide(8));
    await sides[0]!.host.dial(sides[1]!.host.getMultiaddrs()[0]!);
    await until(
      () =>
        sides[0]!.host.services.pubsub.getSubscribers(TX_TOPIC).length > 0 &&
        sides[1]!.host.services.pubsub.getSubscribers(TX_TOPIC).length > 0,
      10_000,
    );
  });
  afterAll(async () => {
    for (const s of sides) {
      s.gossip.stop();
      await s.host.stop();
    }
  });

  it("delivers a published batch with the publisher as its origin", async () => {
    const [a, b] = sides as [Side, Side];
    await a.gossip.publish([tx(1), tx(2)]);
    await until(() => b.got.length > 0, 5000);
    expect(b.got[0]!.batch.txs).toEqual([tx(1), tx(2)]);
    expect(b.got[0]!.origin).toBe(a.host.peerId.toString());
    expect(b.got[0]!.from).toBe(a.host.peerId.toString());
    expect(a.gossip.counters.sent).toBe(2);
    expect(b.gossip.counters.accepted).toBe(1);
    expect(b.scores.score(a.host.peerId.toString())).toBe(0);
  });

  it("a batch the pool rejects costs the sender score; an ignored one does not", async () => {
    const [a, b] = sides as [Side, Side];
    const peer = a.host.peerId.toString();
    b.verdict = "ignore";
    await a.gossip.publish([tx(3)]);
    await until(() => b.gossip.counters.ignored > 0, 5000);
    expect(b.scores.score(peer)).toBe(0);
    b.verdict = "reject";
    await a.gossip.publish([tx(4)]);
    await until(() => b.gossip.counters.rejected > 0, 5000);
    expect(b.scores.score(peer)).toBe(-INVALID_PENALTY);
  });

  it("an undecodable message is rejected without reaching the handler", async () => {
    const [a, b] = sides as [Side, Side];
    const handled = b.got.length;
    const rejected = b.gossip.counters.rejected;
    await a.host.services.pubsub.publish(TX_TOPIC, new Uint8Array([0xff, 0x00, 0x01]));
    await until(() => b.gossip.counters.rejected > rejected, 5000);
    expect(b.got.length).toBe(handled);
  });
});
