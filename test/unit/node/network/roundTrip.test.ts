/**
 * One request/response round trip (node/network/roundTrip.ts) over real libp2p loopback: the time limit
 * covers the whole exchange, so a peer that accepts the stream and never answers costs the asker the limit
 * and no more (the consensus fetch once bounded only the dial), without a penalty; a response frame above
 * the limit is refused and costs the peer score; an answer comes back whole.
 */
import "../../../../node/network/polyfills.ts";
import type { Stream } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../../node/core/errors.ts";
import { frame, readFrames } from "../../../../node/network/framing.ts";
import { createHost, type Host } from "../../../../node/network/host.ts";
import { roundTrip } from "../../../../node/network/roundTrip.ts";

const PROTOCOL = "/fastevm/test/roundtrip/1";
let server: Host;
let client: Host;

beforeAll(async () => {
  const make = async (seed: number) =>
    (await createHost({
      networkKey: new Uint8Array(32).fill(seed),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      maxGossipBytes: 1 << 16,
    })) as Host;
  server = await make(61);
  client = await make(62);
  await server.handle(PROTOCOL, async (stream: Stream) => {
    for await (const f of readFrames(stream, 1024)) {
      const mode = f[0];
      if (mode === 0) stream.send(frame(new Uint8Array([42, ...f])));
      // mode 1: never answers (the stream stays open); mode 2: a frame far above the asker's limit
      if (mode === 2) stream.send(frame(new Uint8Array(10_000)));
      if (mode !== 1) await stream.close().catch(() => {});
      break;
    }
  });
  await client.dial(multiaddr(server.getMultiaddrs()[0]!.toString()));
});

afterAll(async () => {
  await client.stop();
  await server.stop();
});

describe("roundTrip", () => {
  const limits = { timeoutMs: 400, maxResponseBytes: 1000, timeoutCode: ErrorCode.NETWORK_TIMEOUT };
  let penalties = 0;
  const hooks = { decode: (f: Uint8Array) => f, penalize: () => void penalties++ };

  it("returns the response frame", async () => {
    const res = await roundTrip(client, server.peerId, PROTOCOL, new Uint8Array([0, 7]), limits, hooks);
    expect([...res]).toEqual([42, 0, 7]);
  });

  it("times out a peer that accepts the stream and never answers, within the limit", async () => {
    const t0 = Date.now();
    await expect(
      roundTrip(client, server.peerId, PROTOCOL, new Uint8Array([1]), limits, hooks),
    ).rejects.toMatchObject({
      code: ErrorCode.NETWORK_TIMEOUT,
    });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(2000);
    // slowness is the caller's to judge: no penalty here
    expect(penalties).toBe(0);
  });

  it("refuses a response frame above the limit", async () => {
    await expect(
      roundTrip(client, server.peerId, PROTOCOL, new Uint8Array([2]), limits, hooks),
    ).rejects.toMatchObject({
      code: ErrorCode.NETWORK_MESSAGE_TOO_LARGE,
    });
    expect(penalties).toBe(1);
  });
});
