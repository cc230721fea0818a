/**
 * `pnpm bench evm`: the Solidity benchmark set (bench/evm/contracts) on our WASM EVM, the same C++ built
 * natively, and @ethereumjs/evm. Measures the call frame of `run(n)` only; prints Mgas/s per contract,
 * the ratios, and the geometric means the targets are stated in (WASM ≥ 45× ethereumjs, WASM ≤ 1.5×
 * native); then short calls of a few thousand gas in µs per call (WASM ≤ 2× native).
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
  DivLoop: 8000n,
  MulmodLoop: 12000n,
};
/**
 * Short calls of about 2,500–3,000 gas: per-call fixed costs (request, host loads, response) dominate, which
 * the loops above hide. `data` is the calldata after the 4-byte selector of `sig`.
 */
const SHORT: readonly { label: string; contract: string; sig: string; arg: bigint }[] = [
  { label: "MathLoop(10)", contract: "MathLoop", sig: "run(uint256)", arg: 10n },
  { label: "balanceOf", contract: "Erc20Loop", sig: "balanceOf(address)", arg: 1n },
];
const MIN_MS = Number(process.env.BENCH_TIME_MS ?? 500);

export interface EvmBenchRow {
  readonly contract: string;
  /** a short call (fixed costs), reported in µs per call and kept out of the loop geometric means */
  readonly short: boolean;
  readonly gas: bigint;
  readonly wasmUs: number;
  readonly nativeUs: number | undefined;
  readonly ethereumjsUs: number;
  readonly wasmMgas: number;
  readonly nativeMgas: number | undefined;
  readonly ethereumjsMgas: number;
}

const mgas = (gas: bigint, ns: number): number => (Number(gas) / ns) * 1000;
const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

export async function runEvmBench(): Promise<EvmBenchRow[]> {
  const selector = keccak256(new TextEncoder().encode("run(uint256)")).subarray(0, 4);
  const rows: EvmBenchRow[] = [];
  const contracts = compileBenchContracts();
  const jobs = [
    ...contracts.map((c) => ({
      label: c.name,
      code: c.runtime,
      data: runCalldata(selector, WORK[c.name] ?? 100n),
      short: false,
    })),
    ...SHORT.map((s) => {
      const c = contracts.find((x) => x.name === s.contract);
      if (c === undefined) throw new Error(`no contract ${s.contract}`);
      const sel = keccak256(new TextEncoder().encode(s.sig)).subarray(0, 4);
      return { label: s.label, code: c.runtime, data: runCalldata(sel, s.arg), short: true };
    }),
  ];
  for (const c of jobs) {
    const data = c.data;
    const wasm = await measureWasm(c.code, data, MIN_MS);
    const native = measureNative(c.code, data, c.short ? 2000 : 20);
    const ejs = await measureEthereumjs(c.code, data, MIN_MS);
    // every engine did the same work; gas differs only by the warm/cold access of the call itself
    if (ejs.gas > wasm.gas + 5000n || wasm.gas > ejs.gas + 5000n)
      throw new Error(`${c.label}: gas mismatch wasm ${wasm.gas} vs ethereumjs ${ejs.gas}`);
    rows.push({
      contract: c.label,
      short: c.short,
      gas: wasm.gas,
      wasmUs: wasm.ns / 1000,
      nativeUs: native === undefined ? undefined : native.ns / 1000,
      ethereumjsUs: ejs.ns / 1000,
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
  const loops = rows.filter((r) => !r.short);
  console.log(
    `\n${"contract".padEnd(13)} ${"gas".padStart(10)} ${"wasm".padStart(10)} ${"native".padStart(10)} ${"ejs".padStart(10)}   Mgas/s   wasm/ejs native/wasm`,
  );
  for (const r of loops) {
    const vsEjs = r.wasmMgas / r.ethereumjsMgas;
    const nat = r.nativeMgas === undefined ? "n/a" : (r.nativeMgas / r.wasmMgas).toFixed(2);
    console.log(
      `${r.contract.padEnd(13)} ${r.gas.toString().padStart(10)} ${f(r.wasmMgas)} ${f(r.nativeMgas)} ${f(r.ethereumjsMgas)}   ${vsEjs.toFixed(1).padStart(8)}x ${nat.padStart(10)}x`,
    );
  }
  const g = geomean(loops.map((r) => r.wasmMgas / r.ethereumjsMgas));
  const natives = loops
    .filter((r) => r.nativeMgas !== undefined)
    .map((r) => (r.nativeMgas ?? 0) / r.wasmMgas);
  console.log(`geometric mean: wasm ${g.toFixed(1)}x ethereumjs (target ≥ 45x)`);
  if (natives.length > 0)
    console.log(`geometric mean: native ${geomean(natives).toFixed(2)}x wasm (target: wasm ≤ 1.5x native)`);
  const short = rows.filter((r) => r.short);
  if (short.length === 0) return;
  console.log(
    `\n${"short call".padEnd(13)} ${"gas".padStart(10)} ${"wasm".padStart(10)} ${"native".padStart(10)} ${"ejs".padStart(10)}   µs/call  ejs/wasm wasm/native (target ≤ 2x)`,
  );
  for (const r of short) {
    const nat = r.nativeUs === undefined ? "n/a" : (r.wasmUs / r.nativeUs).toFixed(2);
    console.log(
      `${r.contract.padEnd(13)} ${r.gas.toString().padStart(10)} ${f(r.wasmUs)} ${f(r.nativeUs)} ${f(r.ethereumjsUs)}   ${(r.ethereumjsUs / r.wasmUs).toFixed(1).padStart(8)}x ${nat.padStart(10)}x`,
    );
  }
}
