/**
 * The WASM EVM through its TS binding: a transaction's status, gas, output, logs and write-set, and the
 * module's internal-error status for a malformed request.
 */
import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes } from "../../../node/core/hex.ts";
import { MemoryState } from "../../../node/evm/memoryState.ts";
import { prepareTransaction } from "../../../node/evm/transition.ts";
import { sharedEvm } from "../../../wasm/bindings/evmModule.ts";
import { type BlockEnv, EvmStatus } from "../../../wasm/bindings/evmTypes.ts";

const SENDER = new Uint8Array(20).fill(0x11);
const CONTRACT = new Uint8Array(20).fill(0x22);
const ENV: BlockEnv = {
  coinbase: new Uint8Array(20).fill(0xcc),
  number: 1n,
  timestamp: 1n,
  gasLimit: 30_000_000n,
  prevRandao: new Uint8Array(32),
  baseFee: 0n,
  blobBaseFee: 1n,
  chainId: 1n,
};

function run(code: string, gasLimit = 100_000n) {
  const st = new MemoryState();
  st.set(SENDER, { nonce: 0n, balance: 10n ** 18n, code: new Uint8Array(0), storage: new Map() });
  st.set(CONTRACT, { nonce: 1n, balance: 0n, code: hexToBytes(`0x${code}`), storage: new Map() });
  const tx = prepareTransaction(
    {
      sender: SENDER,
      to: CONTRACT,
      nonce: 0n,
      value: 0n,
      gasLimit,
      data: new Uint8Array(0),
      gasPrice: 1n,
      accessList: [],
    },
    { env: ENV, gasAvailable: ENV.gasLimit },
    st,
  );
  return { st, r: sharedEvm().execute(ENV, tx, st) };
}

describe("WasmEvm", () => {
  it("stores, logs and returns", () => {
    // SSTORE(0, 0x2a); LOG1(0, 0, topic 7); MSTORE(0, 0x2a); RETURN(0, 32)
    const { r } = run("602a5f5560075f5fa1602a5f5260205ff3");
    expect(r.status).toBe(EvmStatus.SUCCESS);
    expect(r.gasUsed).toBe(21000n + 3n + 2n + 22100n + 3n + 2n + 2n + 750n + 3n + 2n + 6n + 3n + 2n);
    expect(bytesToHex(r.output)).toBe(`0x${"00".repeat(31)}2a`);
    expect(r.logs).toHaveLength(1);
    expect(bytesToHex(r.logs[0]?.topics[0] ?? new Uint8Array(0))).toBe(`0x${"00".repeat(31)}07`);
    const c = r.changes.find((x) => bytesToHex(x.address) === bytesToHex(CONTRACT));
    expect(c?.storage.map((s) => s.value)).toEqual([0x2an]);
    const sender = r.changes.find((x) => bytesToHex(x.address) === bytesToHex(SENDER));
    expect(sender?.nonce).toBe(1n);
    expect(sender?.balance).toBe(10n ** 18n - r.gasUsed);
  });

  it("reverts state but keeps the fee on REVERT and consumes all gas on INVALID", () => {
    const rev = run("602a5f5560205ffd");
    expect(rev.r.status).toBe(EvmStatus.REVERT);
    expect(rev.r.changes.find((x) => bytesToHex(x.address) === bytesToHex(CONTRACT))).toBeUndefined();
    const inv = run("fe", 50_000n);
    expect(inv.r.status).toBe(EvmStatus.INVALID_INSTRUCTION);
    expect(inv.r.gasUsed).toBe(50_000n);
  });

  it("applies the write-set so the state root changes", () => {
    const { st, r } = run("602a5f5500");
    const before = bytesToHex(st.stateRoot());
    st.apply(r.changes);
    expect(bytesToHex(st.stateRoot())).not.toBe(before);
    expect(st.storage(CONTRACT, new Uint8Array(32))).toBe(0x2an);
  });
});

describe("WasmEvm failure handling", () => {
  it("reports a host failure as EVM_INTERNAL and is replaced by sharedEvm()", () => {
    const evm = sharedEvm();
    const st = new MemoryState();
    st.set(SENDER, { nonce: 0n, balance: 10n ** 18n, code: new Uint8Array(0), storage: new Map() });
    const tx = prepareTransaction(
      {
        sender: SENDER,
        to: CONTRACT,
        nonce: 0n,
        value: 0n,
        gasLimit: 50_000n,
        data: new Uint8Array(0),
        gasPrice: 1n,
        accessList: [],
      },
      { env: ENV, gasAvailable: ENV.gasLimit },
      st,
    );
    const failing = {
      account: (a: Uint8Array) => {
        if (a[0] === 0x22) throw new Error("state read failed");
        return st.account(a);
      },
      storage: () => 0n,
      code: () => new Uint8Array(0),
      blockHash: () => new Uint8Array(32),
    };
    expect(() => evm.execute(ENV, tx, failing)).toThrow(/trapped/);
    expect(evm.broken).toBe(true);
    const fresh = sharedEvm();
    expect(fresh).not.toBe(evm);
    expect(fresh.execute(ENV, tx, st).status).toBe(EvmStatus.SUCCESS);
  });
});
