#!/usr/bin/env bash
# CI gate for the C++ EVM:
#  1. rebuild the WASM modules from source and fail if they differ from the committed wasm/build/fastevm.wasm
#     and node/core/generated/hashWasm.ts;
#  2. build the native test runner with AddressSanitizer + UBSan and run it (keccak vectors, 256-bit
#     arithmetic identities, bytecode programs incl. deep recursion and stack limits, precompile calls);
#  3. replay ~2,700 GeneralStateTests cases under the sanitizers: the native response must equal the WASM
#     module's byte for byte (corpus written by test/unit/wasm/writeNativeCorpus.ts);
#  4. replay 120 seeded random blocks through fastevm_execute_block the same way (the in-module block loop;
#     corpus written by test/unit/wasm/writeNativeBlockCorpus.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
native-build/build-wasm.sh "$TMP/fastevm.wasm"
if ! cmp -s "$TMP/fastevm.wasm" wasm/build/fastevm.wasm; then
  echo "ci-check: wasm/build/fastevm.wasm is stale: run 'pnpm build:wasm' and commit the result" >&2
  exit 1
fi
echo "ci-check: committed fastevm.wasm matches a fresh build"
native-build/build-hashes.sh "$TMP/hashWasm.ts"
if ! cmp -s "$TMP/hashWasm.ts" node/core/generated/hashWasm.ts; then
  echo "ci-check: node/core/generated/hashWasm.ts is stale: run 'pnpm build:wasm' and commit the result" >&2
  exit 1
fi
echo "ci-check: committed hash module matches a fresh build"
native-build/build-native.sh sanitize
# 1024 nested call frames need more than the default 8 MB of stack once ASan pads every frame
ulimit -s 262144
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
native-build/out/fastevm-native-asan
node --import tsx test/unit/wasm/writeNativeCorpus.ts "$TMP/corpus.bin"
native-build/out/fastevm-native-asan replay "$TMP/corpus.bin"
node --import tsx test/unit/wasm/writeNativeBlockCorpus.ts "$TMP/blocks.bin"
native-build/out/fastevm-native-asan replay-blocks "$TMP/blocks.bin"
