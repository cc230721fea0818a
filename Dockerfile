# FastEVM node image: `fastevm node`, `fastevm consensus` and the cluster's init step (docker-compose.yml).
# Multi-stage on node:20-bookworm-slim: the first stage installs the production dependencies with the
# lockfile (native addons: lmdb, secp256k1, msgpackr-extract use their prebuilt binaries, the toolchain is
# there for a platform without one) and builds the sender-recovery addon over Debian's libsecp256k1
# (native/recover/); the runtime stage copies them with the sources, that library and the committed WASM
# EVM (wasm/build/fastevm.wasm; no emscripten in the image) and runs as the unprivileged `node` user.

FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libsecp256k1-dev \
 && rm -rf /var/lib/apt/lists/* \
 && npm i -g pnpm@10
WORKDIR /app
COPY package.json pnpm-lock.yaml ./
RUN pnpm install --prod --frozen-lockfile
COPY native/recover ./native/recover
COPY native-build/build-secp.sh ./native-build/build-secp.sh
RUN bash native-build/build-secp.sh

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsecp256k1-1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/native/build/recover.node ./native/build/recover.node
COPY package.json pnpm-lock.yaml tsconfig.json ./
COPY bin ./bin
COPY node ./node
COPY workers ./workers
COPY wasm/bindings ./wasm/bindings
COPY wasm/build/fastevm.wasm ./wasm/build/fastevm.wasm
# the shared volume's mount point, owned by the runtime user (a new named volume takes this ownership)
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# Engine API, public JSON-RPC (HTTP, WebSocket), metrics (execution, consensus), libp2p
EXPOSE 8551 8545 8546 9001 9002 9000
ENTRYPOINT ["node", "bin/fastevm.js"]
CMD ["--help"]
