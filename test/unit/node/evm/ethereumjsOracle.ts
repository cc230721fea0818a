/**
 * @ethereumjs/vm as the oracle for differential tests: runs one signed transaction over the same pre-state
 * and block environment as the WASM EVM and reports what the comparison needs (state root, gas, logs).
 */
import { createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createLegacyTx } from "@ethereumjs/tx";
import { Address, createAccount, privateToAddress } from "@ethereumjs/util";
import { createVM, runTx } from "@ethereumjs/vm";
import { hexToBytes } from "../../../../node/core/hex.ts";
import type { MemoryState } from "../../../../node/evm/memoryState.ts";
import type { BlockEnv } from "../../../../wasm/bindings/evmTypes.ts";

export const ORACLE_KEY = hexToBytes("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8");
export const ORACLE_SENDER: Uint8Array = privateToAddress(ORACLE_KEY);

export interface OracleTx {
  readonly to: Uint8Array | null;
  readonly data: Uint8Array;
  readonly value: bigint;
  readonly gasLimit: bigint;
  readonly gasPrice: bigint;
  readonly nonce: bigint;
}

export interface OracleResult {
  readonly gasUsed: bigint;
  readonly error: string | undefined;
  readonly output: Uint8Array;
  readonly logs: { address: Uint8Array; topics: Uint8Array[]; data: Uint8Array }[];
  readonly stateRoot: Uint8Array;
}

export async function runOracle(pre: MemoryState, env: BlockEnv, tx: OracleTx): Promise<OracleResult> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  const vm = await createVM({ common });
  const sm = vm.stateManager;
  for (const [addrHex, a] of pre.accounts) {
    const addr = new Address(hexToBytes(addrHex, 20));
    await sm.putAccount(addr, createAccount({ nonce: a.nonce, balance: a.balance }));
    if (a.code.length > 0) await sm.putCode(addr, a.code);
    for (const [k, v] of a.storage) {
      let hex = v.toString(16);
      if (hex.length % 2 === 1) hex = `0${hex}`;
      await sm.putStorage(addr, hexToBytes(k, 32), hexToBytes(`0x${hex}`));
    }
  }
  const block = createBlock(
    {
      header: {
        coinbase: new Address(env.coinbase),
        number: env.number,
        timestamp: env.timestamp,
        gasLimit: env.gasLimit,
        baseFeePerGas: env.baseFee,
        mixHash: env.prevRandao,
        excessBlobGas: 0n,
      },
    },
    { common },
  );
  const signed = createLegacyTx(
    {
      nonce: tx.nonce,
      gasPrice: tx.gasPrice,
      gasLimit: tx.gasLimit,
      value: tx.value,
      data: tx.data,
      ...(tx.to !== null ? { to: new Address(tx.to) } : {}),
    },
    { common },
  ).sign(ORACLE_KEY);
  const r = await runTx(vm, { tx: signed, block, skipBlockGasLimitValidation: true });
  const logs = (r.execResult.logs ?? []).map(([address, topics, data]) => ({ address, topics, data }));
  return {
    gasUsed: r.totalGasSpent,
    error: r.execResult.exceptionError?.error,
    output: r.execResult.returnValue,
    logs,
    stateRoot: await sm.getStateRoot(),
  };
}
