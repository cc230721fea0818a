import { describe, expect, it } from "vitest";
import { SECP256K1_N } from "../../../../../node/core/crypto/secp256k1.ts";
import type { Transaction } from "../../../../../node/core/tx/types.ts";
import { validateTransaction } from "../../../../../node/core/tx/validate.ts";
import { sampleTx } from "./samples.ts";

const RULES = { chainId: 1n };
const U256_MAX = (1n << 256n) - 1n;

function rejection(tx: Transaction, rules: { chainId: bigint; allowUnprotected?: boolean } = RULES): string {
  try {
    validateTransaction(tx, rules);
    return "ok";
  } catch (e) {
    return (e as { code: string }).code;
  }
}

describe("static transaction checks", () => {
  it("accepts valid transactions of every type and returns their intrinsic gas", () => {
    for (const type of [0, 1, 2, 3] as const) expect(validateTransaction(sampleTx(type), RULES)).toBe(21000);
  });

  it("rejects each broken rule with its own code", () => {
    const cases: [string, Transaction][] = [
      ["TX_NONCE_OVERFLOW", sampleTx(2, { nonce: (1n << 64n) - 1n })],
      ["TX_GAS_LIMIT_OVERFLOW", sampleTx(2, { gasLimit: 1n << 64n })],
      ["TX_FIELD_OVERFLOW", sampleTx(2, { value: U256_MAX + 1n })],
      ["TX_FIELD_OVERFLOW", sampleTx(0, { gasPrice: U256_MAX + 1n })],
      ["TX_FIELD_OVERFLOW", sampleTx(3, { maxFeePerBlobGas: U256_MAX + 1n })],
      ["TX_INVALID_ADDRESS", sampleTx(2, { to: new Uint8Array(19) })],
      [
        "TX_INITCODE_TOO_LARGE",
        sampleTx(2, { to: null, data: new Uint8Array(49153), gasLimit: 10_000_000n }),
      ],
      ["TX_TIP_ABOVE_FEE_CAP", sampleTx(2, { maxPriorityFeePerGas: 11n })],
      ["TX_GAS_COST_OVERFLOW", sampleTx(0, { gasPrice: U256_MAX / 100_000n + 1n })],
      ["TX_INTRINSIC_GAS", sampleTx(1, { gasLimit: 20999n })],
      ["TX_CHAIN_ID", sampleTx(2, { chainId: 5n })],
      ["TX_CHAIN_ID", sampleTx(0, { chainId: 5n })],
      ["TX_BLOB_HASHES_EMPTY", sampleTx(3, { blobVersionedHashes: [] })],
      [
        "TX_TOO_MANY_BLOBS",
        sampleTx(3, {
          blobVersionedHashes: Array.from({ length: 7 }, () => Uint8Array.of(1, ...new Uint8Array(31))),
        }),
      ],
      ["TX_BLOB_HASH_VERSION", sampleTx(3, { blobVersionedHashes: [new Uint8Array(32)] })],
      ["TX_BLOB_CREATE", sampleTx(3, { to: null })],
    ];
    for (const [code, tx] of cases) expect([code, rejection(tx)]).toEqual([code, code]);
  });

  it("rejects bad signature values", () => {
    const tx = sampleTx(2);
    expect(rejection({ ...tx, r: 0n })).toBe("TX_INVALID_SIGNATURE");
    expect(rejection({ ...tx, s: SECP256K1_N })).toBe("TX_INVALID_SIGNATURE");
    expect(rejection({ ...tx, s: SECP256K1_N - tx.s })).toBe("TX_SIGNATURE_HIGH_S");
    expect(rejection({ ...tx, yParity: 2 } as unknown as Transaction)).toBe("TX_INVALID_V");
  });

  it("accepts unprotected legacy transactions unless told not to", () => {
    const tx = sampleTx(0, { chainId: null });
    expect(rejection(tx)).toBe("ok");
    expect(rejection(tx, { chainId: 1n, allowUnprotected: false })).toBe("TX_CHAIN_ID");
  });

  it("accepts boundary values: nonce 2^64 - 2, initcode of exactly 49152 bytes, tip equal to fee cap", () => {
    expect(rejection(sampleTx(2, { nonce: (1n << 64n) - 2n }))).toBe("ok");
    expect(rejection(sampleTx(2, { to: null, data: new Uint8Array(49152), gasLimit: 10_000_000n }))).toBe(
      "ok",
    );
    expect(rejection(sampleTx(2, { maxPriorityFeePerGas: 10n }))).toBe("ok");
    expect(rejection(sampleTx(1, { gasLimit: 21000n }))).toBe("ok");
  });
});
