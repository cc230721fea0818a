/**
 * Loopback test of the consensus transport: two real libp2p hosts (TCP + noise + yamux) exchange a signed
 * consensus block on a direct stream and over gossipsub, keep one block stream per peer (and open a new
 * one after it fails), answer a fetch, and score a peer that sends garbage.
 */
import "../../../../node/network/polyfills.ts";
import { peerIdFromString } from "@libp2p/peer-id";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peerIdFromEd25519 } from "../../../../node/consensus/keys.ts";
import { genesisBlocks, type VerifiedBlock } from "../../../../node/consensus/mysticeti/block.ts";
import { BlockVerifier } from "../../../../node/consensus/mysticeti/blockVerifier.ts";
import { ed25519FromSeed } from "../../../../node/consensus/signer.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import type { FetchBlocksResponse } from "../../../../node/core/wire/consensus.ts";
import { encodeConsensusMessage } from "../../../../node/network/consensusCodec.ts";
import { CONSENSUS_PROTOCOLS, ConsensusTransport } from "../../../../node/network/consensusTransport.ts";
import { frame } from "../../../../node/network/framing.ts";
import { createHost, type Host } from "../../../../node/network/host.ts";
import { INVALID_PENALTY } from "../../../../node/network/peerScores.ts";
import { parseDag } from "../../../consensus/utils/dagDsl.ts";
import { testCommittee } from "../../../consensus/utils/testCommittee.ts";

const t = testCommittee(4);
const verifier = new BlockVerifier(t.committee, t.verifier);
const dag = parseDag("R1: *\nR2: *", t);
const seeds = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];

interface Side {
  host: Host;
  transport: ConsensusTransport;
  received: { from: string; block: VerifiedBlock }[];
}

const sides: Side[] = [];

async function makeSide(i: number): Promise<Side> {
  const host = (await createHost({
    networkKey: seeds[i]!,
    listen: ["/ip4/127.0.0.1/tcp/0"],
    maxGossipBytes: 1 << 20,
  })) as Host;
  const received: Side["received"] = [];
  const transport = new ConsensusTransport(host, {
    onBlock(from, bytes) {
      try {
        received.push({ from, block: verifier.verifyBytes(bytes) });
        return "accept";
      } catch {
        return "reject";
      }
    },
    onFetch(_from, req): FetchBlocksResponse {
      if (req.kind !== "fetchBlocks") return { kind: "fetchBlocksResponse", blocks: [] };
      const wanted = new Set(req.refs.map((r) => bytesToHex(r.digest)));
      return {
        kind: "fetchBlocksResponse",
        blocks: dag.blocks.filter((b) => wanted.has(bytesToHex(b.digest))).map((b) => b.serialized),
      };
    },
  });
  await transport.start();
  return { host, transport, received };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe("ConsensusTransport over libp2p (loopback)", () => {
  beforeAll(async () => {
    sides.push(await makeSide(0), await makeSide(1));
    await sides[0]!.transport.dial(sides[1]!.host.getMultiaddrs()[0]!.toString());
  });
  afterAll(async () => {
    for (const s of sides) await s.host.stop();
  });

  it("peer ids derive from the network key as the committee file records them", () => {
    const pub = ed25519FromSeed(seeds[0]!).publicKey;
    expect(sides[0]!.host.peerId.toString()).toBe(peerIdFromEd25519(pub));
  });

  it("delivers a signed consensus block on a direct stream; the receiver verifies it", async () => {
    const [a, b] = sides as [Side, Side];
    const block = dag.get(2, 1)!;
    await a.transport.sendBlock(b.host.peerId, block.serialized);
    await until(() => b.received.length > 0, 5000);
    expect(b.received[0]!.block.key).toBe(block.key);
    expect(b.received[0]!.from).toBe(a.host.peerId.toString());
  });

  it("broadcasts to connected peers (direct stream and gossipsub)", async () => {
    const [a, b] = sides as [Side, Side];
    const block = dag.get(2, 3)!;
    // gossipsub needs a heartbeat to learn the peer's subscription; the direct stream does not
    await until(() => a.host.services.pubsub.getSubscribers("/fastevm/consensus/blocks/1").length > 0, 5000);
    const before = b.received.length;
    await a.transport.broadcastBlock(block.serialized);
    await until(() => b.received.length >= before + 2, 5000);
    const got = b.received.slice(before).map((r) => r.block.key);
    expect(got).toEqual([block.key, block.key]);
  });

  it("keeps one block stream per peer, and opens a new one after it fails", async () => {
    const [a, b] = sides as [Side, Side];
    const blockStreams = () =>
      a.host
        .getConnections(b.host.peerId)
        .flatMap((c) => c.streams)
        .filter((s) => s.protocol === CONSENSUS_PROTOCOLS.block && s.direction === "outbound");
    const blocks = [...dag.round(1), ...dag.round(2)];
    const before = b.received.length;
    for (const x of blocks) await a.transport.sendBlock(b.host.peerId, x.serialized);
    await until(() => b.received.length >= before + blocks.length, 5000);
    expect(b.received.slice(before).map((r) => r.block.key)).toEqual(blocks.map((x) => x.key));
    const open = blockStreams();
    expect(open).toHaveLength(1);
    expect(open[0]!.status).toBe("open");

    open[0]!.abort(new Error("test: the stream fails"));
    const again = dag.get(2, 0)!;
    await a.transport.sendBlock(b.host.peerId, again.serialized);
    await until(() => b.received.length >= before + blocks.length + 1, 5000);
    expect(b.received.at(-1)!.block.key).toBe(again.key);
    const now = blockStreams().filter((s) => s.status === "open");
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(open[0]);
  });

  it("answers a fetch request with the requested blocks", async () => {
    const [a, b] = sides as [Side, Side];
    const refs = dag.round(1).map((x) => x.ref);
    const res = await b.transport.request(a.host.peerId, {
      kind: "fetchBlocks",
      refs,
      highestAccepted: [0, 0, 0, 0],
    });
    expect(res.blocks.map((x) => verifier.verifyBytes(x).key).sort()).toEqual(
      dag
        .round(1)
        .map((x) => x.key)
        .sort(),
    );
    const g = genesisBlocks(0, 4, 0);
    expect(g).toHaveLength(4);
  });

  it("lowers the score of a peer sending an invalid block", async () => {
    const [a, b] = sides as [Side, Side];
    const stream = await a.host.dialProtocol(b.host.peerId, CONSENSUS_PROTOCOLS.block);
    stream.send(frame(encodeConsensusMessage({ kind: "block", block: new Uint8Array([1, 2, 3]) })));
    await stream.close();
    const peer = a.host.peerId.toString();
    await until(() => b.transport.score(peer) < 0, 5000);
    expect(b.transport.score(peer)).toBe(-INVALID_PENALTY);
    expect(peerIdFromString(peer).toString()).toBe(peer);
  });
});
