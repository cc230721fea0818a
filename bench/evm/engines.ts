/**
 * The three engines of the EVM benchmark, each running `run(n)` of one contract and returning the
 * execution gas (call frame only, before refunds) and the best wall time of the call.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createEVM } from "@ethereumjs/evm";
import { Address, createAccount } from "@ethereumjs/util";
import { bigintToFixedBytes } from "../../node/core/bytes.ts";
import { MemoryState } from "../../node/evm/memoryState.ts";
import { prepareTransaction } from "../../node/evm/transition.ts";
import { encodeRequest } from "../../wasm/bindings/evmCodec.ts";
import { sharedEvm } from "../../wasm/bindings/evmModule.ts";
import type { BlockEnv, EvmTx } from "../../wasm/bindings/evmTypes.ts";
import { encodeBenchFile } from "../../wasm/bindings/nativeCorpus.ts";

export const CONTRACT = new Uint8Array(20).fill(0xc0);
export const CALLER = new Uint8Array(20).fill(0xca);
export const GAS = 1_000_000_000n;
export const ENV: BlockEnv = {
  coinbase: new Uint8Array(20).fill(0xcb),
  number: 1n,
  timestamp: 1000n,
  gasLimit: GAS,
  prevRandao: new Uint8Array(32),
  baseFee: 0n,
  blobBaseFee: 1n,
  chainId: 1n,
};

export interface Measurement {
  readonly gas: bigint;
  readonly ns: number;
}

/**
 * Repeats `fn` (after one warm-up) until `minMs` has passed and at least 3 runs; returns the fastest run,
 * the figure least disturbed by other processes on a shared machine (the native driver reports the same).
 */
export async function timeIt(fn: () => unknown | Promise<unknown>, minMs: number): Promise<number> {
  await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < minMs) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0));
  }
  return Math.min(...times);
}

function calldata(n: bigint): Uint8Array {
  const d = new Uint8Array(36);
  d.set([0xa4, 0x44, 0x4e, 0x33]); // run(uint256) is filled in by the caller's selector
  d.set(bigintToFixedBytes(n, 32), 4);
  return d;
}

export function runCalldata(selector: Uint8Array, n: bigint): Uint8Array {
  const d = calldata(n);
  d.set(selector, 0);
  return d;
}

function benchState(code: Uint8Array): MemoryState {
  const st = new MemoryState();
  st.set(CALLER, { nonce: 0n, balance: 10n ** 30n, code: new Uint8Array(0), storage: new Map() });
  st.set(CONTRACT, { nonce: 1n, balance: 0n, code, storage: new Map() });
  return st;
}

function wasmTx(st: MemoryState, data: Uint8Array): EvmTx {
  return prepareTransaction(
    { sender: CALLER, to: CONTRACT, nonce: 0n, value: 0n, gasLimit: GAS, data, gasPrice: 0n, accessList: [] },
    { env: ENV, gasAvailable: GAS },
    st,
  );
}

export async function measureWasm(code: Uint8Array, data: Uint8Array, minMs: number): Promise<Measurement> {
  const st = benchState(code);
  const tx = wasmTx(st, data);
  const evm = sharedEvm();
  const r = evm.execute(ENV, tx, st);
  if (r.status !== 0)
    throw new Error(`wasm run failed with status ${r.status}: ${Buffer.from(r.output).toString("hex")}`);
  const gas = r.gasUsed + r.gasRefund - tx.intrinsicGas;
  const ns = await timeIt(() => evm.execute(ENV, tx, st), minMs);
  return { gas, ns };
}

export const NATIVE_BIN = new URL("../../native-build/out/fastevm-native", import.meta.url).pathname;

const BUILD_NATIVE = new URL("../../native-build/build-native.sh", import.meta.url).pathname;

/** Runs the native build on the same request (building it first if g++ is there); undefined without it. */
export function measureNative(code: Uint8Array, data: Uint8Array, runs: number): Measurement | undefined {
  if (!existsSync(NATIVE_BIN)) spawnSync(BUILD_NATIVE, { stdio: "inherit" });
  if (!existsSync(NATIVE_BIN)) return undefined;
  const st = benchState(code);
  const req = encodeRequest(ENV, wasmTx(st, data));
  const dir = mkdtempSync(join(tmpdir(), "fastevm-bench-"));
  const file = join(dir, "request.bin");
  writeFileSync(file, encodeBenchFile(st, req));
  const out = spawnSync(NATIVE_BIN, ["bench", file, String(runs)], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`native bench failed: ${out.stderr}`);
  const j = JSON.parse(out.stdout) as { status: number; gasUsed: number; bestNs: number };
  if (j.status !== 0) throw new Error(`native run failed with status ${j.status}`);
  return { gas: 0n, ns: j.bestNs };
}

/** @ethereumjs/evm `runCall` on the same code; state changes are rolled back after every call. */
export async function measureEthereumjs(
  code: Uint8Array,
  data: Uint8Array,
  minMs: number,
): Promise<Measurement> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  const evm = await createEVM({ common });
  const contract = new Address(CONTRACT);
  await evm.stateManager.putAccount(contract, createAccount({ nonce: 1n, balance: 0n }));
  await evm.stateManager.putCode(contract, code);
  await evm.stateManager.putAccount(new Address(CALLER), createAccount({ nonce: 0n, balance: 10n ** 30n }));
  let gas = 0n;
  const call = async (): Promise<void> => {
    await evm.stateManager.checkpoint();
    const r = await evm.runCall({
      to: contract,
      caller: new Address(CALLER),
      origin: new Address(CALLER),
      data,
      gasLimit: GAS - 21000n,
    });
    await evm.stateManager.revert();
    if (r.execResult.exceptionError !== undefined)
      throw new Error(`ethereumjs: ${r.execResult.exceptionError.error}`);
    if (gas === 0n) gas = r.execResult.executionGasUsed; // later calls see slots still warm
  };
  const ns = await timeIt(call, minMs);
  return { gas, ns };
}
