/** Property tests of the transaction codecs: round trips of every type, and decoding never crashes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFastEvmError } from "../../../../../node/core/errors.ts";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { decodeRlp } from "../../../../../node/core/rlp.ts";
import {
  decodePooledTransaction,
  decodeTransaction,
  decodeTransactionFromBodyItem,
} from "../../../../../node/core/tx/decode.ts";
import {
  encodeTransaction,
  encodeTransactionForBody,
  transactionToBodyItem,
} from "../../../../../node/core/tx/encode.ts";
import { signingHash, transactionHash } from "../../../../../node/core/tx/hash.ts";
import type { Transaction } from "../../../../../node/core/tx/types.ts";
import { anyTx } from "./arbitraries.ts";

const SEED = 20261122;

/** A structurally equal copy carrying no memo, so encoding and hashing run from the fields. */
function fresh(tx: Transaction): Transaction {
  return { ...tx };
}

function onlyFastEvmErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isFastEvmError(e)) throw e;
  }
}

describe("transaction codec properties", () => {
  it("encode → decode → encode is the identity and hashes are stable", () => {
    fc.assert(
      fc.property(anyTx, (tx) => {
        const bytes = encodeTransaction(fresh(tx));
        const decoded = decodeTransaction(bytes);
        expect(decoded).toEqual(tx);
        expect(encodeTransaction(fresh(decoded))).toEqual(bytes);
        expect(transactionHash(decoded)).toEqual(keccak256(bytes));
        expect(transactionHash(fresh(decoded))).toEqual(transactionHash(decoded));
        // The signing hash sliced out of the input equals the one re-encoded from the fields.
        expect(signingHash(decoded)).toEqual(signingHash(fresh(decoded)));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it("block-body item form round-trips (legacy as a list, typed as a byte string)", () => {
    fc.assert(
      fc.property(anyTx, (tx) => {
        const item = transactionToBodyItem(fresh(tx));
        expect(Array.isArray(item)).toBe(tx.type === 0);
        expect(decodeTransactionFromBodyItem(item)).toEqual(tx);
        expect(decodeRlp(encodeTransactionForBody(fresh(tx)))).toEqual(item);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("random bytes only ever raise FastEvmError", () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // Valid-looking prefixes: a type byte or a list header, then noise.
      fc
        .tuple(fc.constantFrom(0x01, 0x02, 0x03, 0xc0, 0xf8, 0xf9, 0xb8), fc.uint8Array({ maxLength: 200 }))
        .map(([b, rest]) => Uint8Array.of(b, ...rest)),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        onlyFastEvmErrors(() => decodeTransaction(bytes));
        onlyFastEvmErrors(() => decodePooledTransaction(bytes));
        onlyFastEvmErrors(() => decodeTransactionFromBodyItem(bytes));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("corrupted valid encodings only ever raise FastEvmError", () => {
    fc.assert(
      fc.property(anyTx, fc.nat(), fc.nat(255), fc.nat(), (tx, at, byte, cut) => {
        const bytes = encodeTransaction(fresh(tx)).slice();
        bytes[at % bytes.length] = byte;
        onlyFastEvmErrors(() => decodeTransaction(bytes));
        onlyFastEvmErrors(() => decodeTransaction(bytes.subarray(0, cut % bytes.length)));
        onlyFastEvmErrors(() => decodePooledTransaction(bytes));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
