/**
 * The request/response codec's 32-byte word conversion (`writeWord`/`readWord`) against bigint, and a
 * request encoded twice through the shared writer staying a stable copy.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bigintToFixedBytes } from "../../../node/core/bytes.ts";
import { encodeRequest, readWord, writeWord } from "../../../wasm/bindings/evmCodec.ts";
import type { BlockEnv, EvmTx } from "../../../wasm/bindings/evmTypes.ts";

const MAX = (1n << 256n) - 1n;
/** uniform words plus the limb edges (2^64k ± 1) where the fast paths switch */
const word = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX }),
  fc.bigInt({ min: 0n, max: (1n << 64n) + 2n }),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: -1, max: 1 })).map(([k, d]) => {
    const v = (1n << BigInt(k)) + BigInt(d);
    return v < 0n ? 0n : v > MAX ? MAX : v;
  }),
);

describe("writeWord / readWord", () => {
  it("write the same bytes as bigintToFixedBytes and read them back", () => {
    const buf = new Uint8Array(40);
    const view = new DataView(buf.buffer);
    fc.assert(
      fc.property(word, fc.integer({ min: 0, max: 8 }), (v, at) => {
        buf.fill(0xee);
        writeWord(view, at, v);
        expect(buf.subarray(at, at + 32)).toEqual(bigintToFixedBytes(v, 32));
        expect(readWord(view, at)).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it("reject values outside [0, 2^256)", () => {
    const view = new DataView(new ArrayBuffer(32));
    expect(() => writeWord(view, 0, 1n << 256n)).toThrow(/32 bytes/);
    expect(() => writeWord(view, 0, -1n)).toThrow(/32 bytes/);
  });
});

describe("encodeRequest", () => {
  const env: BlockEnv = {
    coinbase: new Uint8Array(20).fill(1),
    number: 7n,
    timestamp: 8n,
    gasLimit: 30_000_000n,
    prevRandao: new Uint8Array(32).fill(2),
    baseFee: 10n ** 9n,
    blobBaseFee: 1n,
    chainId: 1n,
  };
  const tx = (value: bigint): EvmTx => ({
    sender: new Uint8Array(20).fill(3),
    to: null,
    value,
    gasLimit: 100_000n,
    intrinsicGas: 53_000n,
    gasPrice: 2n * 10n ** 9n,
    priorityFee: 10n ** 9n,
    upfrontCost: 2n * 10n ** 14n,
    data: new Uint8Array([0x60, 0x00]),
    accessList: [{ address: new Uint8Array(20).fill(4), storageKeys: [new Uint8Array(32).fill(5)] }],
    blobHashes: [],
  });

  it("returns a copy that a later encoding does not overwrite", () => {
    const a = encodeRequest(env, tx(MAX));
    const kept = a.slice();
    const b = encodeRequest(env, tx(0n));
    expect(a).toEqual(kept);
    expect(b).not.toEqual(a);
    expect(b.length).toBe(a.length);
    // value sits after env (20 + 3*8 + 4*32) and sender, has_to, to (20 + 1 + 20)
    const at = 20 + 24 + 128 + 41;
    expect(a.subarray(at, at + 32)).toEqual(new Uint8Array(32).fill(0xff));
    expect(b.subarray(at, at + 32)).toEqual(new Uint8Array(32));
  });
});
