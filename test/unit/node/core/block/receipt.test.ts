/** Receipts: typed encodings, strict decoding, blooms (against @ethereumjs/vm's Bloom) and the receipts root. */
import { createMPT } from "@ethereumjs/mpt";
import { Bloom } from "@ethereumjs/vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bloomContains, logsBloom, mergeBlooms } from "../../../../../node/core/block/bloom.ts";
import type { Log } from "../../../../../node/core/block/log.ts";
import {
  createReceipt,
  decodeBlockReceipts,
  decodeReceipt,
  encodeBlockReceipts,
  encodeReceipt,
  receiptsRoot,
  receiptsRootAndBlob,
} from "../../../../../node/core/block/receipt.ts";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { bytesToHex } from "../../../../../node/core/hex.ts";
import { encodeRlp } from "../../../../../node/core/rlp.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const logArb: fc.Arbitrary<Log> = fc.record({
  address: bytes(20),
  topics: fc.array(bytes(32), { maxLength: 4 }),
  data: fc.uint8Array({ maxLength: 80 }),
});
const receiptArb = fc
  .tuple(
    fc.constantFrom(0, 1, 2, 3),
    fc.constantFrom(0 as const, 1 as const),
    fc.bigInt({ min: 0n, max: 30_000_000n }),
    fc.array(logArb, { maxLength: 4 }),
  )
  .map(([type, status, gas, logs]) => createReceipt(type, status, gas, logs));

describe("receipts", () => {
  it("round-trips every receipt type; typed ones start with their type byte", () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const enc = encodeReceipt(r);
        expect(decodeReceipt(enc)).toEqual(r);
        if (r.type === 0) expect(enc[0]).toBeGreaterThanOrEqual(0xc0);
        else expect(enc[0]).toBe(r.type);
      }),
      { seed: 11, numRuns: 150 },
    );
  });

  it("computes blooms like @ethereumjs/vm", () => {
    fc.assert(
      fc.property(fc.array(logArb, { maxLength: 5 }), (logs) => {
        const oracle = new Bloom();
        for (const l of logs) {
          oracle.add(l.address);
          for (const t of l.topics) oracle.add(t);
        }
        const ours = logsBloom(logs);
        expect(bytesToHex(ours)).toBe(bytesToHex(oracle.bitvector));
        for (const l of logs) expect(bloomContains(ours, l.address)).toBe(true);
      }),
      { seed: 12, numRuns: 100 },
    );
    const a = logsBloom([{ address: new Uint8Array(20).fill(1), topics: [], data: new Uint8Array(0) }]);
    const b = logsBloom([{ address: new Uint8Array(20).fill(2), topics: [], data: new Uint8Array(0) }]);
    expect(bloomContains(mergeBlooms([a, b]), new Uint8Array(20).fill(2))).toBe(true);
    // aligned blooms merge word by word, others byte by byte: the same OR either way
    const bytes = fc.sample(fc.uint8Array({ minLength: 256, maxLength: 256 }), { seed: 14, numRuns: 6 });
    const expected = new Uint8Array(256);
    for (const x of bytes) for (let i = 0; i < 256; i++) expected[i]! |= x[i]!;
    const unaligned = bytes.map((x) => {
      const buf = new Uint8Array(257);
      buf.set(x, 1);
      return buf.subarray(1);
    });
    expect(bytesToHex(mergeBlooms(bytes))).toBe(bytesToHex(expected));
    expect(bytesToHex(mergeBlooms(unaligned))).toBe(bytesToHex(expected));
    expect(bytesToHex(mergeBlooms([...bytes.slice(0, 3), ...unaligned.slice(3)]))).toBe(bytesToHex(expected));
  });

  it("computes the receipts root like @ethereumjs/mpt", async () => {
    const receipts = fc.sample(receiptArb, { seed: 13, numRuns: 20 });
    const t = await createMPT();
    for (const [i, r] of receipts.entries()) await t.put(encodeRlp(i), encodeReceipt(r));
    expect(bytesToHex(receiptsRoot(receipts))).toBe(bytesToHex(t.root()));
  });

  it("gives the same root and storage form from one encoding of each receipt (the execute worker's)", () => {
    for (const n of [0, 1, 5, 130]) {
      const receipts = fc.sample(receiptArb, { seed: 15 + n, numRuns: n });
      const { root, stored } = receiptsRootAndBlob(receipts);
      expect(bytesToHex(root)).toBe(bytesToHex(receiptsRoot(receipts)));
      expect(bytesToHex(stored)).toBe(bytesToHex(encodeBlockReceipts(receipts)));
    }
  });

  it("round-trips a block's receipt list (storage form)", () => {
    const receipts = fc.sample(receiptArb, { seed: 14, numRuns: 10 });
    expect(decodeBlockReceipts(encodeBlockReceipts(receipts))).toEqual(receipts);
    expect(decodeBlockReceipts(encodeBlockReceipts([]))).toEqual([]);
  });

  it("rejects malformed receipts with RECEIPT_DECODE", () => {
    const ok = encodeRlp([1n, 21000n, new Uint8Array(256), []]);
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(0x80, ...ok),
      Uint8Array.of(0, ...ok),
      encodeRlp([2n, 21000n, new Uint8Array(256), []]),
      encodeRlp([new Uint8Array(32), 21000n, new Uint8Array(256), []]),
      encodeRlp([1n, 21000n, new Uint8Array(255), []]),
      encodeRlp([1n, 21000n, new Uint8Array(256)]),
      encodeRlp([
        1n,
        21000n,
        new Uint8Array(256),
        [[new Uint8Array(20), [new Uint8Array(31)], new Uint8Array(0)]],
      ]),
    ];
    for (const b of bad) {
      let thrown: unknown;
      try {
        decodeReceipt(b);
      } catch (e) {
        thrown = e;
      }
      expect(
        isFastEvmError(thrown, ErrorCode.RECEIPT_DECODE),
        `${bytesToHex(b).slice(0, 20)}: ${String(thrown)}`,
      ).toBe(true);
    }
  });
});
