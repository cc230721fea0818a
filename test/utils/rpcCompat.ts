/**
 * The execution-apis rpc-compat test chain (`../shared/fixtures/rpc-compat`: genesis.json, chain.rlp and
 * geth's `.io` request/response recordings per method), imported into a throwaway datadir through the same
 * code paths as `fastevm init` and `fastevm import` (writeGenesis, readChainFile, Chain.importBlock), and a
 * minimal block-parameter resolver for tests (the node's real one is node/rpc/eth/'s block-tag parser).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Chain, type ChainWorkers } from "../../node/chain/chain.ts";
import { readChainFile } from "../../node/chain/chainFile.ts";
import { decodeBlock } from "../../node/core/block/block.ts";
import { parseGenesisText } from "../../node/core/chain/genesisJson.ts";
import { hexToBytes, quantityToBigint } from "../../node/core/hex.ts";
import type { BlockRef } from "../../node/rpc/eth/stateContext.ts";
import { RpcCode, RpcError } from "../../node/rpc/jsonrpc.ts";
import { writeGenesis } from "../../node/state/genesis.ts";
import { openStorage, type Storage } from "../../node/storage/storage.ts";
import { REPO_ROOT } from "./fixtures.ts";
import { tempDir } from "./tempDatadir.ts";

export const RPC_COMPAT_DIR = resolve(REPO_ROOT, "../shared/fixtures/rpc-compat");

export interface IoCase {
  readonly name: string;
  readonly request: string;
  readonly response: string;
}

/** Every `.io` case of one method folder, sorted by file name. */
export function ioCases(method: string): IoCase[] {
  const dir = join(RPC_COMPAT_DIR, method);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".io"))
    .sort()
    .map((f) => {
      const lines = readFileSync(join(dir, f), "utf8").split("\n");
      const request = lines.find((l) => l.startsWith(">> "))?.slice(3);
      const response = lines.find((l) => l.startsWith("<< "))?.slice(3);
      if (request === undefined || response === undefined) throw new Error(`${method}/${f}: no >> / << line`);
      return { name: `${method}/${f}`, request, response };
    });
}

export interface CompatChain {
  readonly chain: Chain;
  readonly storage: Storage;
  close(): Promise<void>;
}

/** genesis.json + every block of chain.rlp in a fresh datadir (real LMDB, real pools from `workers`). */
export async function importCompatChain(workers: ChainWorkers): Promise<CompatChain> {
  const dir = tempDir("fastevm-rpccompat-");
  const storage = openStorage(join(dir.path, "datadir"), { noSync: true });
  await writeGenesis(storage, parseGenesisText(readFileSync(join(RPC_COMPAT_DIR, "genesis.json"), "utf8")));
  const chain = new Chain(storage, workers);
  for (const { raw } of readChainFile(join(RPC_COMPAT_DIR, "chain.rlp")))
    await chain.importBlock(decodeBlock(raw));
  return {
    chain,
    storage,
    async close() {
      await storage.close();
      dir.remove();
    },
  };
}

/**
 * A minimal block-parameter resolver for tests: a QUANTITY number, the tags (latest / pending / safe /
 * finalized → the head, earliest → block 0), a 32-byte hash, or an EIP-1898 object.
 */
export function testResolveBlock(chain: Chain): (p: unknown) => BlockRef | null {
  const store = chain.store;
  const byHash = (hash: Uint8Array): BlockRef | null => {
    const header = store.header(hash);
    return header === undefined ? null : { hash, header };
  };
  const byNumber = (n: bigint): BlockRef | null => {
    const hash = store.canonicalHash(n);
    return hash === undefined ? null : byHash(hash);
  };
  const resolveOne = (p: unknown): BlockRef | null => {
    if (p === "latest" || p === "pending" || p === "safe" || p === "finalized") return store.head();
    if (p === "earliest") return byNumber(0n);
    if (typeof p === "string" && p.length === 66) return byHash(hexToBytes(p, 32));
    if (typeof p === "string") return byNumber(quantityToBigint(p, 64));
    if (typeof p === "object" && p !== null) {
      const o = p as { blockHash?: string; blockNumber?: string };
      if (o.blockHash !== undefined) return byHash(hexToBytes(o.blockHash, 32));
      if (o.blockNumber !== undefined) return resolveOne(o.blockNumber);
    }
    throw new RpcError(RpcCode.INVALID_PARAMS, "invalid block parameter");
  };
  return (p) => {
    try {
      return resolveOne(p);
    } catch (e) {
      if (e instanceof RpcError) throw e;
      throw new RpcError(RpcCode.INVALID_PARAMS, `block: ${(e as Error).message}`);
    }
  };
}
