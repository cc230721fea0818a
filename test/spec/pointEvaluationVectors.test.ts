/**
 * KZG point-evaluation precompile against the consensus-spec `verify_kzg_proof` vectors that
 * execution-spec-tests wraps into state tests (read in place from ../shared/fixtures). Each test sends
 * the precompile input as calldata; its name says whether the proof is correct.
 */
import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { BLS_MODULUS } from "../../wasm/bindings/precompiles/pointEvaluation.ts";
import { writeWord } from "../../wasm/bindings/precompiles/words.ts";
import { hostPrecompile } from "../../wasm/bindings/precompiles.ts";
import { fixturePath, readJson } from "../utils/fixtures.ts";

interface StateTest {
  readonly transaction: { readonly data: readonly string[] };
}

const FILE = fixturePath(
  "GeneralStateTests/Pyspecs/cancun/eip4844_blobs/point_evaluation_precompile_external_vectors.json",
);

const SUCCESS = new Uint8Array(64);
writeWord(SUCCESS, 0, 4096n);
writeWord(SUCCESS, 32, BLS_MODULUS);

describe("point evaluation: verify_kzg_proof vectors", () => {
  it("accepts exactly the correct proofs", () => {
    const tests = readJson<Record<string, StateTest>>(FILE);
    let ran = 0;
    let valid = 0;
    for (const [name, test] of Object.entries(tests)) {
      const match =
        /verify_kzg_proof_case_(correct_proof|incorrect_proof|invalid_\w+?)(_point_at_infinity\w*)?_[0-9a-f]{16}\]/.exec(
          name,
        );
      expect(match, name).not.toBeNull();
      const input = hexToBytes(test.transaction.data[0] ?? "");
      // Some invalid cases are not even 192 bytes long: those must fail too.
      const expectValid = match?.[1] === "correct_proof";
      const out = hostPrecompile(10, input);
      expect(out === null ? null : bytesToHex(out), name).toBe(expectValid ? bytesToHex(SUCCESS) : null);
      ran++;
      if (expectValid) valid++;
    }
    expect(ran).toBeGreaterThanOrEqual(120);
    expect(valid).toBeGreaterThanOrEqual(50);
  });
});
