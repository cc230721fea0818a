#!/usr/bin/env bash
# Builds the native test runner / benchmark driver from the same C++ as the WASM module.
#   build-native.sh            -> native-build/out/fastevm-native       (g++ -O3)
#   build-native.sh sanitize   -> native-build/out/fastevm-native-asan  (-O1 -fsanitize=address,undefined)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p native-build/out
SOURCES=$(ls wasm/src/*.cpp wasm/src/precompiles/*.cpp wasm/test/nativeHost.cpp wasm/test/nativeRunner.cpp | LC_ALL=C sort)
FLAGS="-std=c++20 -Wall -Wextra -Werror -Wshadow -Wconversion -fno-exceptions -fno-rtti"
if [ "${1:-}" = "sanitize" ]; then
  # shellcheck disable=SC2086
  g++ $FLAGS -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer $SOURCES \
    -o native-build/out/fastevm-native-asan
  echo "build-native: native-build/out/fastevm-native-asan"
else
  # shellcheck disable=SC2086
  g++ $FLAGS -O3 -DNDEBUG $SOURCES -o native-build/out/fastevm-native
  echo "build-native: native-build/out/fastevm-native"
fi
