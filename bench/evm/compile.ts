/**
 * Compiles the benchmark contracts in `contracts/` with solc-js (npm `solc`, pinned) at bench time and
 * returns each contract's runtime bytecode. Optimizer and via-IR on, Cancun target, so the code is what a deployment
 * would run.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { hexToBytes } from "../../node/core/hex.ts";

const CONTRACTS_DIR = new URL("./contracts/", import.meta.url);

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { evm: { deployedBytecode: { object: string } } }>>;
}

export interface CompiledContract {
  readonly name: string;
  readonly runtime: Uint8Array;
}

export function compileBenchContracts(): CompiledContract[] {
  const require = createRequire(import.meta.url);
  const solc = require("solc") as { compile(input: string): string };
  const files = readdirSync(CONTRACTS_DIR)
    .filter((f) => f.endsWith(".sol"))
    .sort();
  const sources: Record<string, { content: string }> = {};
  for (const f of files) sources[f] = { content: readFileSync(new URL(f, CONTRACTS_DIR), "utf8") };
  const input = {
    language: "Solidity",
    sources,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
      outputSelection: { "*": { "*": ["evm.deployedBytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const result: CompiledContract[] = [];
  for (const f of files) {
    for (const [name, c] of Object.entries(out.contracts[f] ?? {})) {
      result.push({ name, runtime: hexToBytes(`0x${c.evm.deployedBytecode.object}`) });
    }
  }
  return result;
}
