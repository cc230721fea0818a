/**
 * Writes a block replay corpus for the sanitizer build (native-build/ci-check.sh): seeded random blocks
 * (test/utils/randomBlocks.ts), in build and verify mode, each as { state before the block, block request,
 * the WASM module's response }, so the ASan/UBSan native run of `fastevm_execute_block` must reproduce the
 * WASM output byte for byte.   usage: node --import tsx test/unit/wasm/writeNativeBlockCorpus.ts OUT
 */
import { writeFileSync } from "node:fs";
import { MAX_BLOB_GAS_PER_BLOCK } from "../../../node/core/chain/params.ts";
import { isFastEvmError } from "../../../node/core/errors.ts";
import { ByteWriter, encodeBlockRequestInto } from "../../../wasm/bindings/evmCodec.ts";
import { WasmEvm } from "../../../wasm/bindings/evmModule.ts";
import { encodeReplayRecord } from "../../../wasm/bindings/nativeCorpus.ts";
import { hostPrecompile } from "../../../wasm/bindings/precompiles.ts";
import { blockEnv, blockRunTxs, wasmTxLoop } from "../../../workers/execute/executeBlock.ts";
import { generator, preState, randomBlockTxs, task } from "../../utils/randomBlocks.ts";

export function writeBlockCorpus(out: string, seeds: readonly number[], blocks: number): number {
  let usedHost = false;
  const evm = new WasmEvm((id, input) => {
    usedHost = true;
    return hostPrecompile(id, input);
  });
  const parts: Uint8Array[] = [];
  let records = 0;
  for (const seed of seeds) {
    const g = generator(seed);
    let state = preState();
    for (let n = 1; n <= blocks; n++) {
      const mode = n % 3 === 0 ? "verify" : "build";
      const before = { state: state.clone(), nonces: new Map(g.nonces), token: g.token };
      const t = task(BigInt(n), randomBlockTxs(g, mode === "verify" ? 0.02 : 0.15), mode);
      const env = blockEnv(t);
      const run = { build: mode === "build", maxBlobGas: MAX_BLOB_GAS_PER_BLOCK };
      const { runTxs } = blockRunTxs(t, env);
      const request = encodeBlockRequestInto(new ByteWriter(), env, run, runTxs).slice();
      usedHost = false;
      const response = evm.executeBlockRaw(env, run, runTxs, state);
      if (!usedHost) {
        parts.push(...encodeReplayRecord(state, request, response));
        records++;
      }
      try {
        wasmTxLoop(t, env, evm, state);
      } catch (e) {
        if (!isFastEvmError(e)) throw e;
        state = before.state;
        g.nonces = before.nonces;
        g.token = before.token;
      }
    }
  }
  writeFileSync(out, Buffer.concat(parts));
  return records;
}

const [out] = process.argv.slice(2);
if (out !== undefined && process.argv[1]?.endsWith("writeNativeBlockCorpus.ts")) {
  const n = writeBlockCorpus(out, [11, 12, 13, 14], 30);
  console.log(`writeNativeBlockCorpus: ${n} block records -> ${out}`);
}
