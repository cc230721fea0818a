import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COMMIT_STAMP_LENGTH,
  decodeCommitStamp,
  encodeCommitStamp,
} from "../../../../../node/core/chain/commitStamp.ts";

describe("commit stamp (extraData)", () => {
  it("round-trips any index and ms timestamp, within the 32-byte extraData limit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (index, timestampMs) => {
          const b = encodeCommitStamp({ index, timestampMs });
          expect(b.length).toBe(COMMIT_STAMP_LENGTH);
          expect(decodeCommitStamp(b)).toEqual({ index, timestampMs });
        },
      ),
      { seed: 6, numRuns: 200 },
    );
  });

  it("is absent from other extraData (empty, wrong length, wrong magic, unsafe integers)", () => {
    const good = encodeCommitStamp({ index: 7, timestampMs: 1_700_000_000_123 });
    expect(decodeCommitStamp(new Uint8Array(0))).toBeUndefined();
    expect(decodeCommitStamp(good.subarray(0, 19))).toBeUndefined();
    expect(decodeCommitStamp(new Uint8Array([...good, 0]))).toBeUndefined();
    const wrongMagic = good.slice();
    wrongMagic[0] = 0x46;
    expect(decodeCommitStamp(wrongMagic)).toBeUndefined();
    const huge = good.slice();
    huge.fill(0xff, 4, 12);
    expect(decodeCommitStamp(huge)).toBeUndefined();
  });
});
