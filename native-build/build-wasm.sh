#!/usr/bin/env bash
# Builds wasm/build/fastevm.wasm from wasm/src with Debian's emscripten 3.1.6 (pinned: the committed module
# must be byte-identical to a rebuild). Standalone module, no JS glue: wasm/bindings/ loads it directly.
# The interpreter sources also build with -Wconversion -Wsign-conversion; src/precompiles/ with the base flags
# and -msimd128 (BLAKE2F runs two G functions per vector instruction).
set -euo pipefail
cd "$(dirname "$0")/.."
EMCC_VERSION_WANTED="3.1.6"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
# read the whole output first: `emcc --version | head -1` breaks emcc's pipe, which pipefail turns into a failure
EMCC_VERSION_LINE="$(emcc --version 2>/dev/null)"
EMCC_VERSION_LINE="${EMCC_VERSION_LINE%%$'\n'*}"
if [[ "$EMCC_VERSION_LINE" != *" ${EMCC_VERSION_WANTED} "* ]]; then
  echo "build-wasm: emcc ${EMCC_VERSION_WANTED} required (apt-get install -y emscripten node-acorn), found: ${EMCC_VERSION_LINE}" >&2
  exit 1
fi
OUT="${1:-wasm/build/fastevm.wasm}"
mkdir -p "$(dirname "$OUT")"
OBJ=$(mktemp -d)
trap 'rm -rf "$OBJ"' EXIT
BASE="-std=c++20 -O3 -Wall -Wextra -Werror -Wshadow -fno-exceptions -fno-rtti -DNDEBUG -ffile-prefix-map=$(pwd)=."
# sorted source lists and relative paths keep the output independent of the checkout location
OBJECTS=()
for src in $(cd wasm/src && ls *.cpp precompiles/*.cpp | LC_ALL=C sort); do
  flags="$BASE"
  case "$src" in precompiles/*) flags="$BASE -msimd128" ;; *) flags="$BASE -Wconversion -Wsign-conversion" ;; esac
  obj="$OBJ/$(echo "$src" | tr / _).o"
  # shellcheck disable=SC2086
  emcc $flags -c "wasm/src/$src" -o "$obj"
  OBJECTS+=("$obj")
done
emcc -O3 "${OBJECTS[@]}" -o "$OUT" \
  --no-entry -sSTANDALONE_WASM=1 -sERROR_ON_UNDEFINED_SYMBOLS=0 -sWARN_ON_UNDEFINED_SYMBOLS=0 \
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=33554432 -sMAXIMUM_MEMORY=2147483648 -sTOTAL_STACK=8388608 \
  -sFILESYSTEM=0 -sASSERTIONS=0 -sMALLOC=dlmalloc \
  -sEXPORTED_FUNCTIONS=_fastevm_request_buffer,_fastevm_execute,_fastevm_execute_block,_fastevm_response_ptr,_fastevm_response_len,_fastevm_reset_cache
echo "build-wasm: wrote $OUT ($(stat -c %s "$OUT") bytes)"
