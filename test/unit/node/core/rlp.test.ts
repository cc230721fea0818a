import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, isFastEvmError } from "../../../../node/core/errors.ts";
import { bytesToHex, hexToBytes } from "../../../../node/core/hex.ts";
import {
  decodeRlp,
  decodeRlpPrefix,
  encodeRlp,
  encodeRlpListPayload,
  encodeRlpPrefixed,
  type RlpItem,
  rlpBigint,
  rlpFixedBytes,
  rlpList,
  rlpListWithPayload,
  rlpNumber,
  rlpStringSize,
  writeRlpString,
} from "../../../../node/core/rlp.ts";

const SEED = 0x5eed_2026;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isFastEvmError(e) ? e.code : `untyped:${String(e)}`;
  }
  return undefined;
}

const itemArb: fc.Arbitrary<RlpItem> = fc.letrec<{ item: RlpItem }>((tie) => ({
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.uint8Array({ maxLength: 80 }),
    fc.array(tie("item"), { maxLength: 6 }),
  ),
})).item;

describe("RLP encoding", () => {
  it("encodes integers minimally", () => {
    expect(bytesToHex(encodeRlp(0n))).toBe("0x80");
    expect(bytesToHex(encodeRlp(0))).toBe("0x80");
    expect(bytesToHex(encodeRlp(127n))).toBe("0x7f");
    expect(bytesToHex(encodeRlp(128n))).toBe("0x8180");
    expect(bytesToHex(encodeRlp(0x0400n))).toBe("0x820400");
  });

  it("uses the long form from 56 bytes on", () => {
    expect(bytesToHex(encodeRlp(new Uint8Array(55))).slice(0, 4)).toBe("0xb7");
    expect(bytesToHex(encodeRlp(new Uint8Array(56))).slice(0, 6)).toBe("0xb838");
    expect(bytesToHex(encodeRlp(new Uint8Array(1024))).slice(0, 8)).toBe("0xb90400");
  });

  it("wraps a pre-encoded payload in a list header", () => {
    const payload = encodeRlp(new Uint8Array([1, 2, 3])).slice();
    expect(encodeRlpListPayload(payload)).toEqual(encodeRlp([new Uint8Array([1, 2, 3])]));
  });

  it("rejects negative and fractional numbers", () => {
    expect(codeOf(() => encodeRlp(-1))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => encodeRlp(1.5))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => encodeRlp(-1n))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});

describe("RLP decoding is strict", () => {
  const cases: [string, string, ErrorCode][] = [
    ["empty input", "0x", ErrorCode.RLP_EMPTY],
    ["single byte wrapped", "0x8100", ErrorCode.RLP_NON_CANONICAL],
    ["single byte 0x7f wrapped", "0x817f", ErrorCode.RLP_NON_CANONICAL],
    ["long form for a short string", "0xb80100", ErrorCode.RLP_NON_CANONICAL],
    ["long form for a short list", "0xf80100", ErrorCode.RLP_NON_CANONICAL],
    ["leading zero in length", `0xb90038${"00".repeat(56)}`, ErrorCode.RLP_LEADING_ZERO],
    ["string past the end", "0x83aabb", ErrorCode.RLP_TRUNCATED],
    ["list past the end", "0xc3aabb", ErrorCode.RLP_TRUNCATED],
    ["length field past the end", "0xb9", ErrorCode.RLP_TRUNCATED],
    ["trailing bytes", "0x8001", ErrorCode.RLP_TRAILING_BYTES],
    ["item running past its list", "0xc28300", ErrorCode.RLP_TRUNCATED],
    ["oversized length field", "0xbf0f000000000000021111", ErrorCode.RLP_TOO_LARGE],
  ];
  it.each(cases)("%s", (_name, hex, code) => {
    expect(codeOf(() => decodeRlp(hexToBytes(hex)))).toBe(code);
  });

  it("decodes a stream of concatenated items", () => {
    const a = encodeRlp([1n, 2n]);
    const b = encodeRlp(new Uint8Array([9, 9]));
    const stream = new Uint8Array([...a, ...b]);
    const first = decodeRlpPrefix(stream);
    expect(first.end).toBe(a.length);
    expect(decodeRlpPrefix(stream, first.end).item).toEqual(new Uint8Array([9, 9]));
  });

  it("typed accessors name the field", () => {
    const list = decodeRlp(encodeRlp([new Uint8Array([0, 1]), new Uint8Array(19), 5n, []]));
    const items = rlpList(list, "test");
    expect(() => rlpBigint(items[0], "nonce")).toThrow(/nonce has leading zero/);
    expect(() => rlpFixedBytes(items[1], 20, "to")).toThrow(/to must be 20 bytes/);
    expect(rlpNumber(items[2], "gas")).toBe(5);
    expect(() => rlpBigint(items[3], "value")).toThrow(/value must be a byte string/);
    expect(() => rlpList(items[2], "accessList")).toThrow(/accessList must be a list/);
    expect(() => rlpBigint(encodeRlp(new Uint8Array(33).fill(1)).subarray(1), "x")).toThrow(
      /exceeds 256 bits/,
    );
  });
});

describe("RLP properties", () => {
  it("decode(encode(x)) == x and encode(decode(e)) == e", () => {
    fc.assert(
      fc.property(itemArb, (item) => {
        const encoded = encodeRlp(item);
        const decoded = decodeRlp(encoded);
        expect(decoded).toEqual(item);
        expect(encodeRlp(decoded)).toEqual(encoded);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("the piecewise writers agree with encodeRlp: strings, a list from its payload, a prefixed encoding", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 5 }),
        fc.nat(0x7f),
        (strs, prefix) => {
          const payload = strs.reduce((n, b) => n + rlpStringSize(b), 0);
          const { out, pos } = rlpListWithPayload(payload);
          let p = pos;
          for (const b of strs) {
            expect(rlpStringSize(b)).toBe(encodeRlp(b).length);
            p = writeRlpString(out, p, b);
          }
          expect(p).toBe(out.length);
          expect(bytesToHex(out)).toBe(bytesToHex(encodeRlp(strs)));
          expect(bytesToHex(encodeRlpPrefixed(prefix, strs))).toBe(
            bytesToHex(Uint8Array.of(prefix, ...encodeRlp(strs))),
          );
          expect(bytesToHex(encodeRlpPrefixed(-1, strs))).toBe(bytesToHex(encodeRlp(strs)));
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("random bytes never crash the decoder: it returns an item or throws a typed error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const code = codeOf(() => decodeRlp(bytes));
        if (code !== undefined) expect(code.startsWith("RLP_")).toBe(true);
        else expect(bytesToHex(encodeRlp(decodeRlp(bytes)))).toBe(bytesToHex(bytes));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("mutated valid encodings decode canonically or fail typed", () => {
    fc.assert(
      fc.property(itemArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (item, at, byte) => {
        const encoded = encodeRlp(item).slice();
        if (encoded.length === 0) return;
        encoded[at % encoded.length] = byte;
        const code = codeOf(() => decodeRlp(encoded));
        if (code === undefined) expect(encodeRlp(decodeRlp(encoded))).toEqual(encoded);
        else expect(code.startsWith("RLP_")).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
