import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToBigint } from "../../../../../node/core/bytes.ts";
import { encodeRlp } from "../../../../../node/core/rlp.ts";
import { RlpCursor } from "../../../../../node/core/tx/rlpCursor.ts";

describe("RlpCursor integers", () => {
  it("reads canonical integers of every width 0..32 bytes exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (n, noise) => {
          const b = noise.slice(0, n);
          if (n > 0 && b[0] === 0) b[0] = 1;
          const enc = encodeRlp([b, b]);
          const c = new RlpCursor(enc, 0, enc.length);
          c.enter("list");
          // Read at an odd offset inside a larger buffer too (the DataView path honours byteOffset).
          expect(c.bigint("a")).toBe(bytesToBigint(b));
          const shifted = new Uint8Array(enc.length + 3);
          shifted.set(enc, 3);
          const d = new RlpCursor(shifted.subarray(3), 0, enc.length);
          d.enter("list");
          d.bigint("a");
          expect(d.bigint("b")).toBe(bytesToBigint(b));
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });

  it("rejects leading zeros and over-wide integers, naming the field", () => {
    const c = new RlpCursor(encodeRlp([Uint8Array.of(0, 1)]), 0, 4);
    c.enter("list");
    expect(() => c.bigint("nonce")).toThrow(/nonce: integer has leading zero bytes/);
    const w = encodeRlp([new Uint8Array(9).fill(1)]);
    const d = new RlpCursor(w, 0, w.length);
    d.enter("list");
    expect(() => d.bigint("gasLimit", 8)).toThrow(/gasLimit: integer exceeds 64 bits/);
  });
});
