/**
 * The JS side of the WASM import `fastevm_host_precompile`: the precompiles the C++ EVM delegates to
 * audited JS libraries (secp256k1 recovery, bn254 over @noble/curves, KZG). The C++ side has already
 * charged gas; this only computes the output. `null` means the call fails (all gas consumed), except
 * that ECRECOVER never fails: it returns empty output when no address can be recovered.
 */
import { bn254Add, bn254Mul, bn254Pairing } from "./precompiles/bn254.ts";
import { ecrecover } from "./precompiles/ecrecover.ts";
import { pointEvaluation, preloadPointEvaluation } from "./precompiles/pointEvaluation.ts";

export { preloadPointEvaluation };

/** Precompile ids computed on the host (the rest run inside WASM). */
export const HostPrecompileId = {
  ECRECOVER: 1,
  BN254_ADD: 6,
  BN254_MUL: 7,
  BN254_PAIRING: 8,
  POINT_EVALUATION: 10,
} as const;

export function hostPrecompile(id: number, input: Uint8Array): Uint8Array | null {
  switch (id) {
    case HostPrecompileId.ECRECOVER:
      return ecrecover(input);
    case HostPrecompileId.BN254_ADD:
      return bn254Add(input);
    case HostPrecompileId.BN254_MUL:
      return bn254Mul(input);
    case HostPrecompileId.BN254_PAIRING:
      return bn254Pairing(input);
    case HostPrecompileId.POINT_EVALUATION:
      return pointEvaluation(input);
    default:
      return null;
  }
}
