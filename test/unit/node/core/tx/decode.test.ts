import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../../../node/core/bytes.ts";
import { decodeRlp, encodeRlp, type RlpInput } from "../../../../../node/core/rlp.ts";
import { kzgToVersionedHash, validateBlobSidecar } from "../../../../../node/core/tx/blobSidecar.ts";
import {
  decodePooledTransaction,
  decodeTransaction,
  decodeTransactionFromBodyItem,
} from "../../../../../node/core/tx/decode.ts";
import { encodeTransaction } from "../../../../../node/core/tx/encode.ts";
import { transactionHash } from "../../../../../node/core/tx/hash.ts";
import { recoverSender } from "../../../../../node/core/tx/sender.ts";
import { signTransaction } from "../../../../../node/core/tx/sign.ts";
import type { BlobTx } from "../../../../../node/core/tx/types.ts";
import { SAMPLE_KEY, sampleTx } from "./samples.ts";

/** The field list of a valid sample, as byte strings (and lists) to tamper with. */
function fieldsOf(type: 0 | 1 | 2 | 3): RlpInput[] {
  const raw = encodeTransaction(sampleTx(type));
  return decodeRlp(type === 0 ? raw : raw.subarray(1)) as RlpInput[];
}

function encode(type: 0 | 1 | 2 | 3, fields: RlpInput[]): Uint8Array {
  const list = encodeRlp(fields);
  return type === 0 ? list : concatBytes(Uint8Array.of(type), list);
}

function failure(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    const { code, message } = e as { code: string; message: string };
    return { code, message };
  }
  return { code: "none", message: "" };
}

describe("decodeTransaction rejects malformed input", () => {
  it("empty input, unknown type bytes, and typed transactions in a string header", () => {
    expect(failure(() => decodeTransaction(new Uint8Array())).code).toBe("TX_DECODE");
    for (const t of [0x00, 0x04, 0x7f]) {
      expect(failure(() => decodeTransaction(Uint8Array.of(t, 0xc0))).code).toBe("TX_UNSUPPORTED_TYPE");
    }
    const wrapped = encodeRlp(encodeTransaction(sampleTx(2)));
    expect(failure(() => decodeTransaction(wrapped)).code).toBe("TX_TYPED_WRAPPED");
  });

  it("too few and too many fields, for every type", () => {
    for (const type of [0, 1, 2, 3] as const) {
      const f = fieldsOf(type);
      expect(failure(() => decodeTransaction(encode(type, f.slice(0, -1)))).code).toBe("TX_FIELD_COUNT");
      const extra = failure(() => decodeTransaction(encode(type, [...f, new Uint8Array()])));
      expect(extra.code).toBe("TX_FIELD_COUNT");
      expect(extra.message).toMatch(/too many fields/);
    }
  });

  it("non-canonical integers (leading zeros) name the field", () => {
    const f = fieldsOf(2);
    f[1] = Uint8Array.of(0, 1); // nonce
    const e = failure(() => decodeTransaction(encode(2, f)));
    expect(e.code).toBe("RLP_LEADING_ZERO");
    expect(e.message).toMatch(/nonce/);
    const g = fieldsOf(0);
    g[0] = Uint8Array.of(0); // nonce 0 must be the empty string
    expect(failure(() => decodeTransaction(encode(0, g))).code).toBe("RLP_LEADING_ZERO");
  });

  it("addresses that are not 20 bytes, storage keys that are not 32, lists in place of strings", () => {
    const f = fieldsOf(0);
    f[3] = new Uint8Array(19);
    expect(failure(() => decodeTransaction(encode(0, f))).code).toBe("TX_INVALID_ADDRESS");
    const g = fieldsOf(1);
    g[7] = [[new Uint8Array(20), [new Uint8Array(31)]]];
    const e = failure(() => decodeTransaction(encode(1, g)));
    expect(e.code).toBe("RLP_UNEXPECTED_TYPE");
    expect(e.message).toMatch(/storage key/);
    const h = fieldsOf(2);
    h[4] = [new Uint8Array()]; // gasLimit as a list
    expect(failure(() => decodeTransaction(encode(2, h))).message).toMatch(/gasLimit: must be a byte string/);
  });

  it("integers above their width: nonce and gas limit over 64 bits, values over 256 bits", () => {
    const f = fieldsOf(2);
    f[1] = new Uint8Array(9).fill(1);
    expect(failure(() => decodeTransaction(encode(2, f))).code).toBe("TX_NONCE_OVERFLOW");
    const g = fieldsOf(2);
    g[4] = new Uint8Array(9).fill(1);
    expect(failure(() => decodeTransaction(encode(2, g))).code).toBe("TX_GAS_LIMIT_OVERFLOW");
    const h = fieldsOf(2);
    h[6] = new Uint8Array(33).fill(1);
    expect(failure(() => decodeTransaction(encode(2, h))).code).toBe("RLP_TOO_LARGE");
  });

  it("bad v / yParity, blob creation, trailing bytes, truncation", () => {
    const f = fieldsOf(2);
    f[9] = Uint8Array.of(2);
    expect(failure(() => decodeTransaction(encode(2, f))).code).toBe("TX_INVALID_V");
    const g = fieldsOf(0);
    g[6] = Uint8Array.of(30);
    expect(failure(() => decodeTransaction(encode(0, g))).code).toBe("TX_INVALID_V");
    const h = fieldsOf(3);
    h[5] = new Uint8Array();
    expect(failure(() => decodeTransaction(encode(3, h))).code).toBe("TX_BLOB_CREATE");
    const raw = encodeTransaction(sampleTx(1));
    expect(failure(() => decodeTransaction(concatBytes(raw, Uint8Array.of(0)))).code).toBe(
      "RLP_TRAILING_BYTES",
    );
    expect(failure(() => decodeTransaction(raw.subarray(0, raw.length - 1))).code).toBe("RLP_TRUNCATED");
    const legacy = encodeTransaction(sampleTx(0));
    expect(failure(() => decodeTransaction(concatBytes(legacy, Uint8Array.of(0x80)))).code).toBe(
      "RLP_TRAILING_BYTES",
    );
  });

  it("returns views into the input rather than copies", () => {
    const raw = encodeTransaction(sampleTx(2, { data: Uint8Array.of(1, 2, 3) }));
    const tx = decodeTransaction(raw);
    expect(tx.data.buffer).toBe(raw.buffer);
  });
});

describe("block-body items", () => {
  it("legacy must be a list, typed must be a byte string", () => {
    const legacy = sampleTx(0);
    const raw = encodeTransaction(legacy);
    expect(decodeTransactionFromBodyItem(decodeRlp(raw))).toEqual(legacy);
    expect(failure(() => decodeTransactionFromBodyItem(raw)).code).toBe("TX_DECODE");
    const typed = sampleTx(2);
    expect(decodeTransactionFromBodyItem(encodeTransaction(typed))).toEqual(typed);
    expect(failure(() => decodeTransactionFromBodyItem([Uint8Array.of(1)])).code).toBe("TX_FIELD_COUNT");
  });
});

describe("EIP-4844 network form (pool path)", () => {
  const commitments = [new Uint8Array(48).fill(1), new Uint8Array(48).fill(2)];
  const tx = signTransaction(
    { ...(sampleTx(3) as BlobTx), blobVersionedHashes: commitments.map(kzgToVersionedHash) } as never,
    SAMPLE_KEY,
  ) as BlobTx;
  const canonical = encodeTransaction(tx);
  const inner = decodeRlp(canonical.subarray(1)) as RlpInput[];
  const blobs = [new Uint8Array(131072), new Uint8Array(131072).fill(9)];
  const proofs = [new Uint8Array(48), new Uint8Array(48)];
  const wrap = (b: RlpInput[], c: RlpInput[], p: RlpInput[]) =>
    concatBytes(Uint8Array.of(3), encodeRlp([inner, b, c, p]));

  it("decodes the wrapper to the canonical transaction and its sidecar", () => {
    const { tx: got, sidecar } = decodePooledTransaction(wrap(blobs, commitments, proofs));
    expect(got).toEqual(tx);
    expect(transactionHash(got)).toEqual(transactionHash(decodeTransaction(canonical)));
    expect(recoverSender(got)).toEqual(recoverSender(tx));
    expect(sidecar?.blobs.length).toBe(2);
    validateBlobSidecar(got as BlobTx, sidecar!);
  });

  it("accepts the canonical form too, with no sidecar", () => {
    expect(decodePooledTransaction(canonical).sidecar).toBeNull();
    expect(decodePooledTransaction(encodeTransaction(sampleTx(2))).sidecar).toBeNull();
  });

  it("rejects count and size mismatches and commitments that do not match the hashes", () => {
    expect(failure(() => decodePooledTransaction(wrap(blobs.slice(1), commitments, proofs))).code).toBe(
      "TX_BLOB_SIDECAR",
    );
    expect(
      failure(() => decodePooledTransaction(wrap(blobs, commitments, [new Uint8Array(47), proofs[1]!]))).code,
    ).toBe("TX_BLOB_SIDECAR");
    const { tx: got, sidecar } = decodePooledTransaction(
      wrap(blobs, [commitments[1]!, commitments[0]!], proofs),
    );
    expect(failure(() => validateBlobSidecar(got as BlobTx, sidecar!)).code).toBe("TX_BLOB_SIDECAR");
    // The plain decoder does not accept the wrapper (blocks carry the canonical form only).
    expect(failure(() => decodeTransaction(wrap(blobs, commitments, proofs))).code).toBe(
      "RLP_UNEXPECTED_TYPE",
    );
  });
});
