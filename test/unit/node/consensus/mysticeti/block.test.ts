import { describe, expect, it } from "vitest";
import {
  compareRefs,
  decodeBlock,
  encodeBlock,
  genesisBlock,
  refKey,
  VerifiedBlock,
} from "../../../../../node/consensus/mysticeti/block.ts";
import { isFastEvmError } from "../../../../../node/core/errors.ts";
import { encodeRlp } from "../../../../../node/core/rlp.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

const t = testCommittee(4);
const genesis = [0, 1, 2, 3].map((a) => genesisBlock(0, a, 0));

function sample() {
  return t.signers[1]!.sign({
    epoch: 0,
    round: 1,
    author: 1,
    timestampMs: 1_700_000_000_123,
    ancestors: [genesis[1]!.ref, genesis[0]!.ref, genesis[2]!.ref],
    transactions: [new Uint8Array([1, 2, 3]), new Uint8Array(0)],
    commitVotes: [{ index: 7, digest: new Uint8Array(32).fill(9) }],
  });
}

describe("consensus block codec", () => {
  it("round-trips a signed block and keeps its digest", () => {
    const signed = sample();
    const bytes = encodeBlock(signed);
    const decoded = decodeBlock(bytes);
    expect(decoded).toEqual(signed);
    expect(new VerifiedBlock(decoded, bytes).key).toBe(VerifiedBlock.fromBlock(signed).key);
    expect(t.verifier.verify(decoded)).toBe(true);
  });

  it("digest covers the signature: a different signature is a different block", () => {
    const a = VerifiedBlock.fromBlock(sample());
    const sig = new Uint8Array(a.block.signature);
    sig[0]! ^= 1;
    const b = VerifiedBlock.fromBlock({ ...a.block, signature: sig });
    expect(a.key).not.toBe(b.key);
    expect(t.verifier.verify(b.block)).toBe(false);
  });

  it("signature binds every field", () => {
    const s = sample();
    expect(t.verifier.verify({ ...s, timestampMs: s.timestampMs + 1 })).toBe(false);
    expect(t.verifier.verify({ ...s, transactions: [] })).toBe(false);
    expect(t.verifier.verify({ ...s, author: 2 })).toBe(false);
  });

  it("rejects malformed encodings with CONSENSUS_BLOCK_DECODE", () => {
    const bytes = encodeBlock(sample());
    const bad = [
      new Uint8Array([...bytes, 0]), // trailing byte
      encodeRlp([1, 2, 3]), // wrong field count
      encodeRlp([0, 1, 1, 5, [[0, 1, new Uint8Array(31)]], [], [], new Uint8Array(64)]), // short digest
      encodeRlp([0, 1, 1, 5, [], [[1]], [], new Uint8Array(64)]), // tx must be bytes
      new Uint8Array(0),
    ];
    for (const b of bad) {
      let err: unknown;
      try {
        decodeBlock(b);
      } catch (e) {
        err = e;
      }
      expect(isFastEvmError(err, "CONSENSUS_BLOCK_DECODE")).toBe(true);
    }
  });

  it("genesis blocks are deterministic and distinct per authority", () => {
    expect(genesisBlock(0, 2, 0).key).toBe(genesis[2]!.key);
    expect(new Set(genesis.map((g) => g.key)).size).toBe(4);
    expect(genesisBlock(1, 2, 0).key).not.toBe(genesis[2]!.key);
  });

  it("orders refs by round, author, digest and keys them uniquely", () => {
    const [g0, g1] = [genesis[0]!.ref, genesis[1]!.ref];
    const b = VerifiedBlock.fromBlock(sample()).ref;
    expect(compareRefs(g0, g1)).toBeLessThan(0);
    expect(compareRefs(b, g0)).toBeGreaterThan(0);
    expect(compareRefs(b, b)).toBe(0);
    expect(refKey(b).startsWith("1/1/")).toBe(true);
  });
});
