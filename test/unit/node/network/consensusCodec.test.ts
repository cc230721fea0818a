import { describe, expect, it } from "vitest";
import { encodeRlp } from "../../../../node/core/rlp.ts";
import type { ConsensusMessage } from "../../../../node/core/wire/consensus.ts";
import {
  decodeConsensusMessage,
  encodeConsensusMessage,
  MAX_FETCH_REFS,
} from "../../../../node/network/consensusCodec.ts";
import { frame, readFrames } from "../../../../node/network/framing.ts";

const ref = { round: 7, author: 2, digest: new Uint8Array(32).fill(5) };

async function collect(chunks: Uint8Array[], max: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  async function* src() {
    yield* chunks;
  }
  for await (const f of readFrames(src(), max)) out.push(f);
  return out;
}

describe("consensus message codec", () => {
  it("round-trips every message kind", () => {
    const msgs: ConsensusMessage[] = [
      { kind: "block", block: new Uint8Array([1, 2, 3]) },
      { kind: "fetchBlocks", refs: [ref, { ...ref, round: 8 }], highestAccepted: [0, 3, 9, 1] },
      { kind: "fetchBlocksResponse", blocks: [new Uint8Array([9]), new Uint8Array(0)] },
      { kind: "fetchLatestBlock", author: 3 },
      { kind: "fetchCommits", from: 17, max: 100 },
      // certificates only (a full node's request)
      { kind: "fetchCommits", from: 17, max: 100, blocks: false },
      {
        kind: "fetchCommitsResponse",
        commits: [new Uint8Array([1]), new Uint8Array([2])],
        blocks: [new Uint8Array([3])],
        votes: [new Uint8Array([4, 5])],
      },
    ];
    for (const m of msgs) expect(decodeConsensusMessage(encodeConsensusMessage(m))).toEqual(m);
  });

  it("rejects unknown kinds, wrong arity, bad digests and oversized lists with NETWORK_DECODE", () => {
    const bad = [
      encodeRlp([9, new Uint8Array(1)]),
      encodeRlp([0]),
      // fetchCommits: the blocks flag is 0 when present, and there is no fifth field
      encodeRlp([4, 1, 100, 1]),
      encodeRlp([4, 1, 100, 0, 0]),
      encodeRlp([1, [[1, 2, new Uint8Array(31)]], []]),
      encodeRlp([1, Array.from({ length: MAX_FETCH_REFS + 1 }, () => [1, 2, new Uint8Array(32)]), []]),
      new Uint8Array([0xff]),
    ];
    for (const b of bad) {
      let code: string | undefined;
      try {
        decodeConsensusMessage(b);
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code).toBe("NETWORK_DECODE");
    }
  });
});

describe("framing", () => {
  it("reassembles frames split and merged across chunks", async () => {
    const a = frame(new Uint8Array([1, 2, 3]));
    const b = frame(new Uint8Array(0));
    const c = frame(new Uint8Array(300).fill(7));
    const all = new Uint8Array([...a, ...b, ...c]);
    const chunks = [all.subarray(0, 2), all.subarray(2, 9), all.subarray(9, 100), all.subarray(100)];
    const frames = await collect(chunks, 1000);
    expect(frames.map((f) => f.length)).toEqual([3, 0, 300]);
    expect(frames[2]!.every((x) => x === 7)).toBe(true);
  });

  it("refuses frames above the limit and truncated streams", async () => {
    await expect(collect([frame(new Uint8Array(11))], 10)).rejects.toThrow(/exceeds/);
    await expect(collect([frame(new Uint8Array(5)).subarray(0, 6)], 10)).rejects.toThrow(/inside a frame/);
  });
});
