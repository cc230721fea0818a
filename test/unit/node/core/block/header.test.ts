/** Header RLP codec: round trips for every fork's field set, strict decoding with typed errors. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BlockHeader,
  decodeHeader,
  encodeHeader,
  headerHash,
} from "../../../../../node/core/block/header.ts";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { decodeRlp, encodeRlp, type RlpItem } from "../../../../../node/core/rlp.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });

const base = fc.record({
  parentHash: bytes(32),
  ommersHash: bytes(32),
  coinbase: bytes(20),
  stateRoot: bytes(32),
  transactionsRoot: bytes(32),
  receiptsRoot: bytes(32),
  logsBloom: bytes(256),
  difficulty: u256,
  number: u64,
  gasLimit: u64,
  gasUsed: u64,
  timestamp: u64,
  extraData: fc.uint8Array({ maxLength: 40 }),
  mixHash: bytes(32),
  nonce: bytes(8),
});
const cancunFields = fc.record({
  baseFeePerGas: u256,
  withdrawalsRoot: bytes(32),
  blobGasUsed: u64,
  excessBlobGas: u64,
  parentBeaconBlockRoot: bytes(32),
});

/** A header of one of the four shapes (15, 16, 17 or 20 fields). */
const headerArb = fc.tuple(base, cancunFields, fc.constantFrom(0, 1, 2, 5)).map(([b, c, n]): BlockHeader => {
  const keys = [
    "baseFeePerGas",
    "withdrawalsRoot",
    "blobGasUsed",
    "excessBlobGas",
    "parentBeaconBlockRoot",
  ] as const;
  const out: Record<string, unknown> = { ...b };
  for (const k of keys.slice(0, n)) out[k] = c[k];
  return out as unknown as BlockHeader;
});

function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isFastEvmError(thrown, code), String(thrown)).toBe(true);
}

describe("header codec", () => {
  it("round-trips every fork shape and hashes the encoding", () => {
    fc.assert(
      fc.property(headerArb, (h) => {
        const enc = encodeHeader(h);
        expect(decodeHeader(enc)).toEqual(h);
        expect(headerHash(h)).toEqual(keccak256(enc));
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it("rejects malformed headers with HEADER_DECODE", () => {
    const h = fc
      .sample(headerArb, { seed: 1, numRuns: 40 })
      .find((x) => x.parentBeaconBlockRoot !== undefined)!;
    const fields = decodeRlp(encodeHeader(h)) as RlpItem[];
    const withField = (i: number, v: RlpItem) =>
      encodeRlp(fields.map((f, j) => (j === i ? v : f)) as Uint8Array[]);
    expectCode(() => decodeHeader(encodeRlp(fields.slice(0, 18) as Uint8Array[])), ErrorCode.HEADER_DECODE);
    expectCode(
      () => decodeHeader(encodeRlp([...fields, new Uint8Array(32)] as Uint8Array[])),
      ErrorCode.HEADER_DECODE,
    );
    expectCode(() => decodeHeader(withField(0, new Uint8Array(31))), ErrorCode.HEADER_DECODE);
    expectCode(() => decodeHeader(withField(8, Uint8Array.of(0, 1))), ErrorCode.HEADER_DECODE);
    expectCode(() => decodeHeader(withField(9, new Uint8Array(9).fill(1))), ErrorCode.HEADER_DECODE);
    expectCode(() => decodeHeader(withField(3, [])), ErrorCode.HEADER_DECODE);
    expectCode(() => decodeHeader(Uint8Array.of(...encodeHeader(h), 0)), ErrorCode.HEADER_DECODE);
    expectCode(() => decodeHeader(new Uint8Array(0)), ErrorCode.HEADER_DECODE);
  });

  it("refuses to encode a fork field without the earlier ones", () => {
    const h = fc.sample(base, { seed: 2, numRuns: 1 })[0]!;
    expectCode(() => encodeHeader({ ...h, withdrawalsRoot: new Uint8Array(32) }), ErrorCode.INVALID_ARGUMENT);
    expectCode(() => encodeHeader({ ...h, baseFeePerGas: 1n, blobGasUsed: 0n }), ErrorCode.INVALID_ARGUMENT);
  });
});
