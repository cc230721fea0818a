/** The `evm` suite of `pnpm bench`: Solidity contracts on WASM vs native vs @ethereumjs/evm. */
import type { BenchSuite } from "../suites.ts";
import { runEvmBench } from "./evmBench.ts";

export const evmSuite: BenchSuite = {
  name: "evm",
  description: "Solidity compute contracts: our WASM EVM vs native C++ build vs @ethereumjs/evm (Mgas/s)",
  async run() {
    await runEvmBench();
  },
};
