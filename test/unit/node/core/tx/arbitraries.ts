/** fast-check generators of transaction models of every type (signature values arbitrary, not signed). */
import fc from "fast-check";
import { SECP256K1_N } from "../../../../../node/core/crypto/secp256k1.ts";
import type { AccessList, Transaction } from "../../../../../node/core/tx/types.ts";

const MAX_U256 = (1n << 256n) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

/** Biased toward small values so both short and long integer encodings show up. */
export const u256 = fc.oneof(fc.bigInt(0n, 300n), fc.bigInt(0n, MAX_U64), fc.bigInt(0n, MAX_U256));
export const u64 = fc.oneof(fc.bigInt(0n, 300n), fc.bigInt(0n, MAX_U64));
const scalar = fc.bigInt(1n, SECP256K1_N - 1n);
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const address = bytes(20);
const data = fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 300 }));
const accessList: fc.Arbitrary<AccessList> = fc.array(
  fc.record({ address, storageKeys: fc.array(bytes(32), { maxLength: 3 }) }),
  { maxLength: 3 },
);
const yParity = fc.constantFrom(0 as const, 1 as const);

export const legacyTx: fc.Arbitrary<Transaction> = fc
  .record({
    nonce: u64,
    gasPrice: u256,
    gasLimit: u64,
    to: fc.option(address, { nil: null }),
    value: u256,
    data,
    chainId: fc.option(u64, { nil: null }),
    parity: fc.constantFrom(0n, 1n),
    r: scalar,
    s: scalar,
  })
  .map(({ parity, chainId, ...f }) => ({
    type: 0 as const,
    ...f,
    chainId,
    v: chainId === null ? 27n + parity : chainId * 2n + 35n + parity,
  }));

export const accessListTx: fc.Arbitrary<Transaction> = fc.record({
  type: fc.constant(1 as const),
  chainId: u64,
  nonce: u64,
  gasPrice: u256,
  gasLimit: u64,
  to: fc.option(address, { nil: null }),
  value: u256,
  data,
  accessList,
  yParity,
  r: scalar,
  s: scalar,
});

export const feeMarketTx: fc.Arbitrary<Transaction> = fc.record({
  type: fc.constant(2 as const),
  chainId: u64,
  nonce: u64,
  maxPriorityFeePerGas: u256,
  maxFeePerGas: u256,
  gasLimit: u64,
  to: fc.option(address, { nil: null }),
  value: u256,
  data,
  accessList,
  yParity,
  r: scalar,
  s: scalar,
});

export const blobTx: fc.Arbitrary<Transaction> = fc.record({
  type: fc.constant(3 as const),
  chainId: u64,
  nonce: u64,
  maxPriorityFeePerGas: u256,
  maxFeePerGas: u256,
  gasLimit: u64,
  to: address,
  value: u256,
  data,
  accessList,
  maxFeePerBlobGas: u256,
  blobVersionedHashes: fc.array(bytes(32), { maxLength: 6 }),
  yParity,
  r: scalar,
  s: scalar,
});

export const anyTx: fc.Arbitrary<Transaction> = fc.oneof(legacyTx, accessListTx, feeMarketTx, blobTx);
