#!/usr/bin/env bash
# Builds native/build/recover.node, the sender-recovery addon (native/recover/recover.c) over the system's
# libsecp256k1, with the Node headers of the node that runs this script. `--optional` (pnpm install's
# postinstall) exits 0 with one line when a prerequisite is missing: sender recovery then uses the
# `secp256k1` npm package, about a third slower. .ci/run and the Dockerfile build it without --optional.
set -euo pipefail
cd "$(dirname "$0")/.."
optional=0
[ "${1:-}" = "--optional" ] && optional=1
missing() {
  echo "build-secp: $1; sender recovery uses the secp256k1 npm package" >&2
  [ "$optional" = 1 ] && exit 0
  exit 1
}
CC="${CC:-cc}"
command -v "$CC" >/dev/null 2>&1 || missing "no C compiler ($CC)"
NODE_INCLUDE="$(node -p 'require("node:path").resolve(process.execPath, "../../include/node")')"
[ -f "$NODE_INCLUDE/node_api.h" ] || missing "no Node headers at $NODE_INCLUDE"
echo '#include <secp256k1_recovery.h>' | "$CC" -E -x c - >/dev/null 2>&1 ||
  missing "libsecp256k1-dev is not installed (apt-get install -y libsecp256k1-dev)"
mkdir -p native/build
"$CC" -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC -I"$NODE_INCLUDE" native/recover/recover.c \
  -lsecp256k1 -o native/build/recover.node.tmp
mv native/build/recover.node.tmp native/build/recover.node
echo "build-secp: wrote native/build/recover.node"
