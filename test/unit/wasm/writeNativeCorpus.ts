/**
 * Writes a replay corpus for the sanitizer build (native-build/ci-check.sh): GeneralStateTests cases from
 * a few directories, each with the WASM module's response, so the ASan/UBSan native run must reproduce
 * the WASM output byte for byte.   usage: node --import tsx test/unit/wasm/writeNativeCorpus.ts OUT [DIR…]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectJsonFiles } from "../../../node/cli/commands/statetest.ts";
import { isValidationError } from "../../../node/core/errors.ts";
import { blockEnv, loadPre, type StateTestJson, txFieldsOf } from "../../../node/evm/stateTest.ts";
import { prepareTransaction } from "../../../node/evm/transition.ts";
import { encodeRequest } from "../../../wasm/bindings/evmCodec.ts";
import { WasmEvm } from "../../../wasm/bindings/evmModule.ts";
import { encodeReplayRecord } from "../../../wasm/bindings/nativeCorpus.ts";
import { hostPrecompile } from "../../../wasm/bindings/precompiles.ts";

const FIXTURES = new URL("../../../../shared/fixtures/ethereum-tests/GeneralStateTests", import.meta.url)
  .pathname;
const DEFAULT_DIRS = [
  "VMTests",
  "stMemoryTest",
  "stCreate2",
  "stCallCodes",
  "stReturnDataTest",
  "stSStoreTest",
  "stRevertTest",
  "Cancun",
  "stSelfBalance",
  "stRecursiveCreate",
];

export function writeCorpus(out: string, dirs: readonly string[]): number {
  // cases that reach a JS-computed precompile are left out: the native build has no JS host for them
  let usedHost = false;
  const evm = new WasmEvm((id, input) => {
    usedHost = true;
    return hostPrecompile(id, input);
  });
  const parts: Uint8Array[] = [];
  let records = 0;
  for (const dir of dirs) {
    for (const file of collectJsonFiles(join(FIXTURES, dir))) {
      const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, StateTestJson>;
      for (const test of Object.values(json)) {
        const env = blockEnv(test.env);
        for (const post of test.post.Cancun ?? []) {
          const pre = loadPre(test.pre);
          try {
            const tx = prepareTransaction(
              txFieldsOf(test.transaction, post.indexes),
              { env, gasAvailable: env.gasLimit },
              pre,
            );
            usedHost = false;
            const response = evm.executeRaw(env, tx, pre);
            if (usedHost) continue;
            parts.push(...encodeReplayRecord(pre, encodeRequest(env, tx), response));
            records++;
          } catch (e) {
            if (!isValidationError(e)) throw e;
          }
        }
      }
    }
  }
  writeFileSync(out, Buffer.concat(parts));
  return records;
}

const [out, ...dirs] = process.argv.slice(2);
if (out !== undefined && process.argv[1]?.endsWith("writeNativeCorpus.ts")) {
  const n = writeCorpus(out, dirs.length > 0 ? dirs : DEFAULT_DIRS);
  console.log(`writeNativeCorpus: ${n} records -> ${out}`);
}
