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
  it("rejects invalid transactions before execution", () => {
    const rich = state(10n ** 18n);
    expect(rejects({ ...base, nonce: 4n }, rich)).toBe("TX_INVALID_FIELD");
    expect(rejects(base, state(50_000n * 20n))).toBe("TX_INVALID_FIELD"); // balance < gas × max fee + value
    expect(rejects({ ...base, maxFeePerGas: 9n, maxPriorityFeePerGas: 0n }, rich)).toBe("TX_INVALID_FIELD");
    expect(rejects({ ...base, maxPriorityFeePerGas: 21n }, rich)).toBe("TX_INVALID_FIELD");
    expect(rejects({ ...base, gasLimit: 20_000n }, rich)).toBe("TX_INTRINSIC_GAS");
    expect(rejects(base, state(10n ** 18n, new Uint8Array([0x00])))).toBe("TX_INVALID_FIELD"); // EIP-3607
    expect(rejects({ ...base, to: null, data: new Uint8Array(49153) }, rich)).toBe("TX_INITCODE_TOO_LARGE");
    expect(rejects({ ...base, gasLimit: ENV.gasLimit + 1n }, rich)).toBe("TX_INVALID_FIELD");
  });
});
