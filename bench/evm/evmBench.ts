/**
 * `pnpm bench evm`: the Solidity benchmark set (bench/evm/contracts) on our WASM EVM, the same C++ built
 * natively, and @ethereumjs/evm. Measures the call frame of `run(n)` only; prints Mgas/s per contract,
 * the ratios, and the geometric means the targets are stated in (WASM ≥ 25× ethereumjs, native
 * ≤ 3× WASM).
 */
import { keccak256 } from "../../node/core/hash.ts";
import { compileBenchContracts } from "./compile.ts";
import { measureEthereumjs, measureNative, measureWasm, runCalldata } from "./engines.ts";

/** Loop counts per contract: a few million gas per call. */
const WORK: Record<string, bigint> = {
  MathLoop: 20000n,
  KeccakLoop: 20000n,
  Sort: 1500n,
  Erc20Loop: 600n,
  EcMul: 6n,
};
const MIN_MS = Number(process.env.BENCH_TIME_MS ?? 500);

export interface EvmBenchRow {
  readonly contract: string;
  readonly gas: bigint;
  readonly wasmMgas: number;
  readonly nativeMgas: number | undefined;
  readonly ethereumjsMgas: number;
}

const mgas = (gas: bigint, ns: number): number => (Number(gas) / ns) * 1000;
const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

export async function runEvmBench(): Promise<EvmBenchRow[]> {
  const selector = keccak256(new TextEncoder().encode("run(uint256)")).subarray(0, 4);
  const rows: EvmBenchRow[] = [];
  for (const c of compileBenchContracts()) {
    const n = WORK[c.name] ?? 100n;
    const data = runCalldata(selector, n);
    const wasm = await measureWasm(c.runtime, data, MIN_MS);
    const native = measureNative(c.runtime, data, 20);
    const ejs = await measureEthereumjs(c.runtime, data, MIN_MS);
    // every engine did the same work; gas differs only by the warm/cold access of the call itself
    if (ejs.gas > wasm.gas + 5000n || wasm.gas > ejs.gas + 5000n)
      throw new Error(`${c.name}: gas mismatch wasm ${wasm.gas} vs ethereumjs ${ejs.gas}`);
    rows.push({
      contract: c.name,
      gas: wasm.gas,
      wasmMgas: mgas(wasm.gas, wasm.ns),
      nativeMgas: native === undefined ? undefined : mgas(wasm.gas, native.ns),
      ethereumjsMgas: mgas(wasm.gas, ejs.ns),
    });
  }
  printRows(rows);
  return rows;
}

function printRows(rows: readonly EvmBenchRow[]): void {
  const f = (x: number | undefined): string => (x === undefined ? "n/a" : x.toFixed(1)).padStart(10);
  console.log(
    `\n${"contract".padEnd(12)} ${"gas".padStart(10)} ${"wasm".padStart(10)} ${"native".padStart(10)} ${"ejs".padStart(10)}   Mgas/s   wasm/ejs native/wasm`,
  );
  for (const r of rows) {
    const vsEjs = r.wasmMgas / r.ethereumjsMgas;
    const nat = r.nativeMgas === undefined ? "n/a" : (r.nativeMgas / r.wasmMgas).toFixed(2);
    console.log(
      `${r.contract.padEnd(12)} ${r.gas.toString().padStart(10)} ${f(r.wasmMgas)} ${f(r.nativeMgas)} ${f(r.ethereumjsMgas)}   ${vsEjs.toFixed(1).padStart(8)}x ${nat.padStart(10)}x`,
    );
  }
  const g = geomean(rows.map((r) => r.wasmMgas / r.ethereumjsMgas));
  const natives = rows.filter((r) => r.nativeMgas !== undefined).map((r) => (r.nativeMgas ?? 0) / r.wasmMgas);
  console.log(`geometric mean: wasm ${g.toFixed(1)}x ethereumjs (target ≥ 25x)`);
  if (natives.length > 0)
    console.log(`geometric mean: native ${geomean(natives).toFixed(2)}x wasm (target ≤ 3x)`);
}
