import { describe, expect, it } from "vitest";
import { encodeBlock, genesisBlock } from "../../../../../node/consensus/mysticeti/block.ts";
import {
  BlockRejectedError,
  type BlockRejectReason,
  BlockVerifier,
} from "../../../../../node/consensus/mysticeti/blockVerifier.ts";
import type { SignedBlock, UnsignedBlock } from "../../../../../node/core/wire/consensus.ts";
import { testCommittee } from "../../../../consensus/utils/testCommittee.ts";

const t = testCommittee([1, 1, 1, 1]);
const verifier = new BlockVerifier(t.committee, t.verifier, {
  maxTransactionsPerBlock: 3,
  maxTransactionBytes: 10,
  maxBlockTransactionBytes: 20,
  maxCommitVotes: 2,
  maxForwardTimeDriftMs: 500,
});
const g = [0, 1, 2, 3].map((a) => genesisBlock(0, a, 0).ref);
const fakeRef = (round: number, author: number) => ({
  round,
  author,
  digest: new Uint8Array(32).fill(round + 1),
});

const good: UnsignedBlock = {
  epoch: 0,
  round: 1,
  author: 0,
  timestampMs: 1000,
  ancestors: [g[0]!, g[1]!, g[2]!],
  transactions: [new Uint8Array(5)],
  commitVotes: [],
};

function reasonOf(block: SignedBlock, now?: number): BlockRejectReason | "OK" {
  try {
    verifier.check(block, now);
    return "OK";
  } catch (e) {
    if (e instanceof BlockRejectedError) return e.reason;
    throw e;
  }
}

const signed = (over: Partial<UnsignedBlock>, signer = (over.author ?? 0) as number) =>
  t.signers[signer]!.sign({ ...good, ...over });

describe("BlockVerifier", () => {
  it("accepts a well-formed block, from bytes too", () => {
    expect(reasonOf(signed({}))).toBe("OK");
    expect(verifier.verifyBytes(encodeBlock(signed({}))).round).toBe(1);
  });

  const cases: [string, BlockRejectReason, () => SignedBlock, number?][] = [
    ["wrong epoch", "WRONG_EPOCH", () => signed({ epoch: 1 })],
    ["round 0", "GENESIS_ROUND", () => signed({ round: 0, ancestors: [] })],
    ["unknown author", "UNKNOWN_AUTHOR", () => ({ ...signed({}), author: 9 })],
    ["bad signature", "BAD_SIGNATURE", () => signed({ author: 0 }, 1)],
    ["no ancestors", "NO_ANCESTORS", () => signed({ ancestors: [] })],
    [
      "too many ancestors",
      "TOO_MANY_ANCESTORS",
      () => signed({ ancestors: [g[0]!, g[1]!, g[2]!, g[3]!, g[1]!] }),
    ],
    ["own block not first", "FIRST_ANCESTOR_NOT_OWN", () => signed({ ancestors: [g[1]!, g[0]!, g[2]!] })],
    ["duplicate author", "DUPLICATE_ANCESTOR_AUTHOR", () => signed({ ancestors: [g[0]!, g[1]!, g[1]!] })],
    [
      "unknown ancestor author",
      "ANCESTOR_UNKNOWN_AUTHOR",
      () => signed({ ancestors: [g[0]!, g[1]!, fakeRef(0, 7)] }),
    ],
    [
      "ancestor not lower",
      "ANCESTOR_ROUND_NOT_LOWER",
      () => signed({ round: 2, ancestors: [fakeRef(1, 0), fakeRef(1, 1), fakeRef(2, 2)] }),
    ],
    ["fake genesis", "INVALID_GENESIS_ANCESTOR", () => signed({ ancestors: [g[0]!, g[1]!, fakeRef(0, 2)] })],
    ["no quorum", "NO_QUORUM_AT_PREVIOUS_ROUND", () => signed({ ancestors: [g[0]!, g[1]!] })],
    [
      "weak links only",
      "NO_QUORUM_AT_PREVIOUS_ROUND",
      () => signed({ round: 3, ancestors: [fakeRef(2, 0), fakeRef(1, 1), fakeRef(1, 2), fakeRef(1, 3)] }),
    ],
    [
      "too many txs",
      "TOO_MANY_TRANSACTIONS",
      () => signed({ transactions: [1, 2, 3, 4].map(() => new Uint8Array(1)) }),
    ],
    ["tx too large", "TRANSACTION_TOO_LARGE", () => signed({ transactions: [new Uint8Array(11)] })],
    [
      "txs too large",
      "TRANSACTIONS_TOO_LARGE",
      () => signed({ transactions: [1, 2, 3].map(() => new Uint8Array(8)) }),
    ],
    [
      "too many votes",
      "TOO_MANY_COMMIT_VOTES",
      () => signed({ commitVotes: [1, 2, 3].map((index) => ({ index, digest: new Uint8Array(32) })) }),
    ],
    [
      "vote index 0",
      "INVALID_COMMIT_VOTE",
      () => signed({ commitVotes: [{ index: 0, digest: new Uint8Array(32) }] }),
    ],
    ["from the future", "TIMESTAMP_TOO_FAR_IN_FUTURE", () => signed({ timestampMs: 2000 }), 1000],
  ];
  for (const [name, reason, make, now] of cases) {
    it(`rejects ${name} with ${reason}`, () => {
      expect(reasonOf(make(), now)).toBe(reason);
    });
  }

  it("rejects undecodable bytes with DECODE", () => {
    try {
      verifier.verifyBytes(new Uint8Array([0xc0, 1]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BlockRejectedError);
      expect((e as BlockRejectedError).reason).toBe("DECODE");
      expect((e as BlockRejectedError).code).toBe("CONSENSUS_BLOCK_INVALID");
    }
  });

  it("counts stake, not authorities, for the quorum at round−1", () => {
    const weighted = testCommittee([5, 1, 1, 1]); // total 8, quorum 6
    const v = new BlockVerifier(weighted.committee, weighted.verifier);
    const mk = (ancestors: number[]) =>
      weighted.signers[1]!.sign({ ...good, author: 1, ancestors: ancestors.map((a) => g[a]!) });
    expect(() => v.check(mk([1, 2, 3]))).toThrow(/NO_QUORUM/);
    expect(() => v.check(mk([1, 0]))).not.toThrow();
  });
});
