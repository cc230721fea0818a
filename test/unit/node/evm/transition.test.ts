import { describe, expect, it } from "vitest";
import { isFastEvmError } from "../../../../node/core/errors.ts";
import { MemoryState } from "../../../../node/evm/memoryState.ts";
import { prepareTransaction, type TxFields } from "../../../../node/evm/transition.ts";
import type { BlockEnv } from "../../../../wasm/bindings/evmTypes.ts";

const SENDER = new Uint8Array(20).fill(0x11);
const TO = new Uint8Array(20).fill(0x22);
const ENV: BlockEnv = {
  coinbase: new Uint8Array(20),
  number: 1n,
  timestamp: 1n,
  gasLimit: 30_000_000n,
  prevRandao: new Uint8Array(32),
  baseFee: 10n,
  blobBaseFee: 1n,
  chainId: 1n,
};

function state(balance: bigint, code = new Uint8Array(0)): MemoryState {
  const st = new MemoryState();
  st.set(SENDER, { nonce: 3n, balance, code, storage: new Map() });
  return st;
}

const base: TxFields = {
  sender: SENDER,
  to: TO,
  nonce: 3n,
  value: 5n,
  gasLimit: 50_000n,
  data: new Uint8Array(0),
  maxFeePerGas: 20n,
  maxPriorityFeePerGas: 2n,
  accessList: [],
};

function rejects(tx: TxFields, st: MemoryState): string {
  try {
    prepareTransaction(tx, { env: ENV, gasAvailable: ENV.gasLimit }, st);
  } catch (e) {
    if (isFastEvmError(e)) return e.code;
    throw e;
  }
  return "accepted";
}

describe("prepareTransaction", () => {
  it("computes the effective price, tip and upfront debit (EIP-1559)", () => {
    const tx = prepareTransaction(base, { env: ENV, gasAvailable: ENV.gasLimit }, state(10n ** 18n));
    expect(tx.gasPrice).toBe(12n);
    expect(tx.priorityFee).toBe(2n);
    expect(tx.upfrontCost).toBe(50_000n * 12n);
    expect(tx.intrinsicGas).toBe(21000n);
  });
  it("adds the blob fee to the upfront debit", () => {
    const blob = { ...base, maxFeePerBlobGas: 3n, blobVersionedHashes: [new Uint8Array(32).fill(1)] };
    const tx = prepareTransaction(blob, { env: ENV, gasAvailable: ENV.gasLimit }, state(10n ** 18n));
    expect(tx.upfrontCost).toBe(50_000n * 12n + 131072n * 1n);
  });
  it("rejects invalid transactions before execution, each rule with its own code", () => {
    const rich = state(10n ** 18n);
    expect(rejects({ ...base, nonce: 4n }, rich)).toBe("TX_NONCE_TOO_HIGH");
    expect(rejects({ ...base, nonce: 2n }, rich)).toBe("TX_NONCE_TOO_LOW");
    expect(rejects(base, state(50_000n * 20n))).toBe("TX_INSUFFICIENT_FUNDS"); // balance < gas × max fee + value
    expect(rejects(base, state(50_000n * 20n + 5n))).toBe("accepted"); // exactly gas × max fee + value
    expect(rejects({ ...base, maxFeePerGas: 9n, maxPriorityFeePerGas: 0n }, rich)).toBe(
      "TX_FEE_CAP_BELOW_BASE_FEE",
    );
    const { maxFeePerGas: _f, maxPriorityFeePerGas: _p, ...legacyFields } = base;
    expect(rejects({ ...legacyFields, gasPrice: 9n }, rich)).toBe("TX_FEE_CAP_BELOW_BASE_FEE");
    expect(rejects({ ...base, maxPriorityFeePerGas: 21n }, rich)).toBe("TX_TIP_ABOVE_FEE_CAP");
    expect(rejects({ ...base, gasLimit: 20_000n }, rich)).toBe("TX_INTRINSIC_GAS");
    expect(rejects(base, state(10n ** 18n, new Uint8Array([0x00])))).toBe("TX_SENDER_NOT_EOA"); // EIP-3607
    expect(rejects({ ...base, to: null, data: new Uint8Array(49153) }, rich)).toBe("TX_INITCODE_TOO_LARGE");
    expect(rejects({ ...base, gasLimit: ENV.gasLimit + 1n }, rich)).toBe("TX_GAS_LIMIT_EXCEEDS_BLOCK");
    expect(rejects({ ...base, value: 1n << 256n }, rich)).toBe("TX_FIELD_OVERFLOW");
    const blob = { ...base, maxFeePerBlobGas: 3n, blobVersionedHashes: [new Uint8Array(32).fill(1)] };
    expect(rejects({ ...blob, maxFeePerBlobGas: 0n }, rich)).toBe("TX_BLOB_FEE_CAP_TOO_LOW");
    expect(rejects({ ...blob, blobVersionedHashes: [] }, rich)).toBe("TX_BLOB_HASHES_EMPTY");
    expect(rejects({ ...blob, blobVersionedHashes: [new Uint8Array(32).fill(2)] }, rich)).toBe(
      "TX_BLOB_HASH_VERSION",
    );
    expect(rejects({ ...blob, to: null, gasLimit: 100_000n }, rich)).toBe("TX_BLOB_CREATE");
  });
  it("block gas is checked against the gas left, not the block's limit", () => {
    const st = state(10n ** 18n);
    expect(() => prepareTransaction(base, { env: ENV, gasAvailable: 49_999n }, st)).toThrow(/gas left/);
    expect(prepareTransaction(base, { env: ENV, gasAvailable: 50_000n }, st).gasLimit).toBe(50_000n);
  });
  it("trusts the intrinsic gas of a validated transaction and skips the stateless rules", () => {
    const st = state(10n ** 18n);
    // the intrinsic gas is taken as given, not recomputed (21000 here)
    const env = { env: ENV, gasAvailable: ENV.gasLimit };
    expect(prepareTransaction({ ...base, intrinsicGas: 30_000n }, env, st).intrinsicGas).toBe(30_000n);
    // the stateful rules still run
    expect(rejects({ ...base, intrinsicGas: 21_000n, nonce: 9n }, st)).toBe("TX_NONCE_TOO_HIGH");
  });
});
