import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, isFastEvmError } from "../../../../node/core/errors.ts";
import {
  bigintToQuantity,
  bytesToHex,
  hexToBytes,
  looseHexToBytes,
  parseLooseBigint,
  quantityToBigint,
  quantityToNumber,
} from "../../../../node/core/hex.ts";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isFastEvmError(e) ? e.code : "untyped";
  }
  return undefined;
}

describe("hex DATA", () => {
  it("round-trips bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(hexToBytes(bytesToHex(b))).toEqual(b);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("gives the lower-case digits of every length from 0 to 300, views at an offset included", () => {
    const byLoop = (b: Uint8Array) => `0x${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;
    for (let n = 0; n <= 300; n++) {
      const backing = new Uint8Array(n + 7).map((_, i) => (i * 151 + n) & 0xff);
      const view = backing.subarray(3, 3 + n); // an offset into a larger buffer, as LMDB and RLP hand out
      expect(bytesToHex(view)).toBe(byLoop(view));
    }
    // a view of a view of a Buffer, and a Uint8Array over a SharedArrayBuffer (what crosses to workers)
    const shared = new Uint8Array(new SharedArrayBuffer(40)).fill(0xab);
    expect(bytesToHex(shared.subarray(5, 9))).toBe("0xabababab");
    expect(bytesToHex(Buffer.from([1, 2, 3, 254]).subarray(1).subarray(1))).toBe("0x03fe");
  });

  it("follows the execution-apis rules", () => {
    expect(bytesToHex(new Uint8Array())).toBe("0x");
    expect(hexToBytes("0xABcd")).toEqual(new Uint8Array([0xab, 0xcd]));
    expect(codeOf(() => hexToBytes("abcd"))).toBe(ErrorCode.HEX_INVALID);
    expect(codeOf(() => hexToBytes("0xabc"))).toBe(ErrorCode.HEX_INVALID);
    expect(codeOf(() => hexToBytes("0xzz"))).toBe(ErrorCode.HEX_INVALID);
    expect(codeOf(() => hexToBytes("0xabcd", 3))).toBe(ErrorCode.HEX_LENGTH);
    expect(looseHexToBytes("abc")).toEqual(new Uint8Array([0x0a, 0xbc]));
  });
});

describe("hex QUANTITY", () => {
  it("encodes without leading zeros", () => {
    expect(bigintToQuantity(0n)).toBe("0x0");
    expect(bigintToQuantity(1024)).toBe("0x400");
  });

  it("rejects the spec's invalid forms", () => {
    for (const bad of ["0x", "0x0400", "ff", "0x-1", "0xg", "1"]) {
      expect(codeOf(() => quantityToBigint(bad))).toBe(ErrorCode.HEX_QUANTITY_INVALID);
    }
    expect(quantityToBigint("0x41")).toBe(65n);
    expect(quantityToBigint("0X41".replace("X", "x"))).toBe(65n);
    expect(codeOf(() => quantityToBigint(`0x1${"0".repeat(64)}`))).toBe(ErrorCode.HEX_QUANTITY_INVALID);
    expect(codeOf(() => quantityToNumber("0x20000000000000"))).toBe(ErrorCode.HEX_QUANTITY_INVALID);
    expect(quantityToNumber("0x1fffffffffffff")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("parses loose integers from files", () => {
    expect(parseLooseBigint("0x00ff")).toBe(255n);
    expect(parseLooseBigint("0x")).toBe(0n);
    expect(parseLooseBigint("1000")).toBe(1000n);
    expect(parseLooseBigint(12)).toBe(12n);
    expect(codeOf(() => parseLooseBigint("12a"))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});
