/** Table key encodings: fixed-width big-endian integers sort numerically; tx locations round-trip. */
import { describe, expect, it } from "vitest";
import { ErrorCode, isFastEvmError } from "../../../../node/core/errors.ts";
import {
  decodeTxLocation,
  encodeTxLocation,
  storageKey,
  u64FromKey,
  u64Key,
} from "../../../../node/storage/keys.ts";

describe("storage keys", () => {
  it("encodes u64 keys so byte order is numeric order", () => {
    const ns = [0n, 1n, 255n, 256n, 65_535n, 2n ** 40n, 2n ** 64n - 1n];
    const keys = ns.map(u64Key);
    expect(keys.map(u64FromKey)).toEqual(ns);
    const sorted = [...keys].sort(Buffer.compare);
    expect(sorted.map(u64FromKey)).toEqual(ns);
  });

  it("round-trips tx locations and builds storage keys", () => {
    const loc = { blockHash: new Uint8Array(32).fill(3), index: 70_000 };
    expect(decodeTxLocation(encodeTxLocation(loc))).toEqual(loc);
    const k = storageKey(new Uint8Array(20).fill(1), new Uint8Array(32).fill(2));
    expect(k.length).toBe(52);
    expect(k[19]).toBe(1);
    expect(k[20]).toBe(2);
    let thrown: unknown;
    try {
      storageKey(new Uint8Array(19), new Uint8Array(32));
    } catch (e) {
      thrown = e;
    }
    expect(isFastEvmError(thrown, ErrorCode.INVALID_ARGUMENT)).toBe(true);
  });
});
