/**
 * ethereum/tests RLPTests: every valid case encodes to the expected bytes and decodes back to the same
 * structure; every invalid case (`"in": "INVALID"`) is rejected with a typed error.
 */
import { describe, expect, it } from "vitest";
import { bytesToBigint } from "../../node/core/bytes.ts";
import { isFastEvmError } from "../../node/core/errors.ts";
import { bytesToHex, looseHexToBytes } from "../../node/core/hex.ts";
import { decodeRlp, encodeRlp, type RlpInput, type RlpItem } from "../../node/core/rlp.ts";
import { fixturePath, listJsonFiles, readJson } from "../utils/fixtures.ts";

type In = string | number | In[];
interface Case {
  in: In;
  out: string;
}

/** The fixture's JSON input as an encoder input: strings are UTF-8 bytes, `#N` and numbers are integers. */
function toInput(v: In): RlpInput {
  if (Array.isArray(v)) return v.map(toInput);
  if (typeof v === "number") return BigInt(v);
  if (v.startsWith("#")) return BigInt(v.slice(1));
  return new TextEncoder().encode(v);
}

/** The decoded structure in the fixture's own terms, for comparison with `in`. */
function matches(item: RlpItem, v: In): boolean {
  if (Array.isArray(v))
    return Array.isArray(item) && item.length === v.length && v.every((x, i) => matches(item[i]!, x));
  if (!(item instanceof Uint8Array)) return false;
  if (typeof v === "number") return bytesToBigint(item) === BigInt(v);
  if (v.startsWith("#")) return bytesToBigint(item) === BigInt(v.slice(1));
  return new TextDecoder().decode(item) === v;
}

const files = listJsonFiles(fixturePath("RLPTests"));
const cases: { name: string; c: Case }[] = files.flatMap((f) =>
  Object.entries(readJson<Record<string, Case>>(f)).map(([name, c]) => ({
    name: `${f.split("RLPTests/")[1]}:${name}`,
    c,
  })),
);
const valid = cases.filter((x) => x.c.in !== "INVALID" && x.c.in !== "VALID");
const invalid = cases.filter((x) => x.c.in === "INVALID");
const decodeOnly = cases.filter((x) => x.c.in === "VALID");

describe("RLPTests", () => {
  it("finds every case (guards against fixtures going missing)", () => {
    expect(valid.length).toBeGreaterThanOrEqual(28);
    expect(invalid.length).toBeGreaterThanOrEqual(26);
    expect(decodeOnly.length).toBeGreaterThanOrEqual(1);
  });

  it.each(valid)("valid $name encodes and decodes back", ({ c }) => {
    const encoded = encodeRlp(toInput(c.in));
    expect(bytesToHex(encoded)).toBe(bytesToHex(looseHexToBytes(c.out)));
    const decoded = decodeRlp(looseHexToBytes(c.out));
    expect(matches(decoded, c.in)).toBe(true);
  });

  it.each(decodeOnly)("valid $name decodes and re-encodes identically", ({ c }) => {
    const bytes = looseHexToBytes(c.out);
    expect(bytesToHex(encodeRlp(decodeRlp(bytes)))).toBe(bytesToHex(looseHexToBytes(c.out)));
  });

  it.each(invalid)("invalid $name is rejected with a typed error", ({ c }) => {
    let err: unknown;
    try {
      decodeRlp(looseHexToBytes(c.out));
    } catch (e) {
      err = e;
    }
    expect(isFastEvmError(err)).toBe(true);
    expect((err as Error).message).toMatch(/invalid RLP/);
  });
});
