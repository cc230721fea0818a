import { defineConfig } from "vitest/config";

/**
 * Files of pure computation (fixtures, the EVM, the core codecs, the deterministic consensus simulators):
 * no processes, sockets or wall-clock deadlines, so they run two at a time. Everything else runs after
 * them one file at a time: the e2e tests each load both cores with a devnet of their own.
 */
const PARALLEL = [
  "test/spec/**/*.test.ts",
  "test/arch/**/*.test.ts",
  "test/unit/wasm/**/*.test.ts",
  "test/unit/node/core/**/*.test.ts",
  "test/unit/node/evm/**/*.test.ts",
  "test/consensus/simulator.test.ts",
  "test/consensus/randomizedDeterminism.test.ts",
];

const common = { testTimeout: 120_000, hookTimeout: 120_000, pool: "forks" as const };

export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          ...common,
          name: "parallel",
          include: PARALLEL,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...common,
          name: "serial",
          include: ["test/**/*.test.ts"],
          exclude: PARALLEL,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
