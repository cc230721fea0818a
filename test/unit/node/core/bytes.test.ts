/** bigintToBytes: the minimal big-endian form, on both of its paths (below 2^48 in floats, above in hex). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bigintToBytes, bigintToFixedBytes, bytesToBigint } from "../../../../node/core/bytes.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";

/** the definition: hex digits, padded to whole bytes */
function reference(v: bigint): string {
  if (v === 0n) return "0x";
  const hex = v.toString(16);
  return `0x${hex.length % 2 === 1 ? "0" : ""}${hex}`;
}

describe("bigintToBytes", () => {
  it("is minimal and big-endian at every boundary of its two paths", () => {
    const edges = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xffffn, 0x10000n];
    for (let bits = 40n; bits <= 256n; bits += 4n)
      edges.push((1n << bits) - 1n, 1n << bits, (1n << bits) + 1n);
    for (const v of edges.filter((x) => x < 1n << 256n))
      expect(bytesToHex(bigintToBytes(v)), `${v}`).toBe(reference(v));
  });

  it("round-trips random integers up to 2^256 and never starts with a zero byte", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (v) => {
        const b = bigintToBytes(v);
        expect(bytesToBigint(b)).toBe(v);
        expect(bytesToHex(b)).toBe(reference(v));
        if (b.length > 0) expect(b[0]).not.toBe(0);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it("refuses a negative integer, and bigintToFixedBytes one that does not fit", () => {
    expect(() => bigintToBytes(-1n)).toThrow(/negative/);
    expect(() => bigintToFixedBytes(1n << 64n, 8)).toThrow(/does not fit in 8 bytes/);
    expect(bytesToHex(bigintToFixedBytes(258n, 4))).toBe("0x00000102");
  });
});
