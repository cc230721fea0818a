/**
 * Compiles perf/token/PerfToken.sol with the solc dev dependency (optimizer on, Cancun): the bytecode
 * committed in token.ts is its output. `node --import tsx perf/token/compile.ts` prints it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ErrorCode, FastEvmError } from "../../node/core/errors.ts";

export const TOKEN_SOURCE_PATH = new URL("./PerfToken.sol", import.meta.url);

/** The creation bytecode (0x-hex) solc produces for PerfToken.sol. */
export function compileToken(): string {
  const solc = createRequire(import.meta.url)("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "PerfToken.sol": { content: readFileSync(TOKEN_SOURCE_PATH, "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      metadata: { bytecodeHash: "none", appendCBOR: false },
      outputSelection: { "*": { PerfToken: ["evm.bytecode.object"] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0)
    throw new FastEvmError(ErrorCode.INVALID_ARGUMENT, errors.map((e) => e.formattedMessage).join("\n"));
  return `0x${out.contracts!["PerfToken.sol"]!.PerfToken!.evm.bytecode.object}`;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(compileToken());
