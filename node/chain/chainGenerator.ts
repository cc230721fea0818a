/**
 * Generated chains for tests and benchmarks: a Cancun dev genesis with funded senders and the dev token
 * (`devToken.ts`), then blocks of signed EIP-1559 transactions — ETH transfers, token transfers, or a seeded
 * mix — each built by executing it (`Chain.buildBlock`) and imported, so every header root is real.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "../core/block/block.ts";
import { parseGenesisText } from "../core/chain/genesisJson.ts";
import { privateKeyToAddress } from "../core/crypto/secp256k1.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex } from "../core/hex.ts";
import { encodeTransaction } from "../core/tx/encode.ts";
import { signTransaction } from "../core/tx/sign.ts";
import { writeGenesis } from "../state/genesis.ts";
import { openStorage } from "../storage/storage.ts";
import { Chain, type ChainWorkers } from "./chain.ts";
import { DEV_TOKEN_CODE, tokenTransferData } from "./devToken.ts";

export const DEV_CHAIN_ID = 1337n;
export const DEV_TOKEN_ADDRESS = "0x00000000000000000000000000000000000070c0";

export type TxKind = "transfer" | "token" | "mixed";

export interface GenerateOptions {
  readonly blocks: number;
  readonly txsPerBlock: number;
  readonly kind: TxKind;
  readonly seed?: number;
  /** funded sender accounts (default 64) */
  readonly senders?: number;
  /** build in this (new) datadir and keep it, e.g. as the reference of an uninterrupted import */
  readonly datadir?: string;
}

export interface GeneratedChain {
  /** genesis.json text, for `fastevm init` */
  readonly genesisJson: string;
  readonly blocks: Block[];
  readonly gasUsed: bigint;
  readonly txCount: number;
}

/** Deterministic PRNG (mulberry32) so a seed always yields the same chain. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function devKeys(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => keccak256(new TextEncoder().encode(`fastevm dev key ${i}`)));
}

/** The dev genesis: every sender holds 10^24 wei and 10^30 tokens; all forks through Cancun at 0. */
export function devGenesisJson(keys: readonly Uint8Array[]): string {
  const alloc: Record<string, unknown> = {};
  const tokenStorage: Record<string, string> = {};
  for (const k of keys) {
    const a = bytesToHex(privateKeyToAddress(k));
    alloc[a] = { balance: (10n ** 24n).toString() };
    tokenStorage[`0x${a.slice(2).padStart(64, "0")}`] = `0x${(10n ** 30n).toString(16)}`;
  }
  alloc[DEV_TOKEN_ADDRESS] = { balance: "0", code: bytesToHex(DEV_TOKEN_CODE), storage: tokenStorage };
  const forks = [
    "homestead",
    "eip150",
    "eip155",
    "eip158",
    "byzantium",
    "constantinople",
    "petersburg",
    "istanbul",
    "berlin",
    "london",
  ];
  const config: Record<string, unknown> = {
    chainId: Number(DEV_CHAIN_ID),
    terminalTotalDifficulty: 0,
    shanghaiTime: 0,
    cancunTime: 0,
  };
  for (const f of forks) config[`${f}Block`] = 0;
  return JSON.stringify(
    {
      config,
      nonce: "0x0",
      timestamp: "0x0",
      gasLimit: "0x1c9c380",
      difficulty: "0x0",
      baseFeePerGas: "0x3b9aca00",
      alloc,
    },
    null,
    2,
  );
}

/** Builds (and imports, in a throwaway datadir) `opts.blocks` blocks on the dev genesis. */
export async function generateChain(opts: GenerateOptions, workers: ChainWorkers): Promise<GeneratedChain> {
  const keys = devKeys(opts.senders ?? 64);
  const senders = keys.map((k) => privateKeyToAddress(k));
  const nonces = keys.map(() => 0n);
  const rand = seededRandom(opts.seed ?? 1);
  const genesisJson = devGenesisJson(keys);
  const dir = opts.datadir === undefined ? mkdtempSync(join(tmpdir(), "fastevm-gen-")) : undefined;
  const storage = openStorage(opts.datadir ?? join(dir!, "datadir"), { noSync: true });
  const token = Uint8Array.from(Buffer.from(DEV_TOKEN_ADDRESS.slice(2), "hex"));
  const blocks: Block[] = [];
  let gasUsed = 0n;
  let txCount = 0;
  try {
    await writeGenesis(storage, parseGenesisText(genesisJson));
    const chain = new Chain(storage, workers);
    let next = 0;
    for (let b = 0; b < opts.blocks; b++) {
      const raws: Uint8Array[] = [];
      for (let i = 0; i < opts.txsPerBlock; i++) {
        const s = next++ % keys.length;
        const to = senders[Math.floor(rand() * senders.length)]!;
        const isToken = opts.kind === "token" || (opts.kind === "mixed" && rand() < 0.5);
        const tx = signTransaction(
          {
            type: 2,
            chainId: DEV_CHAIN_ID,
            nonce: nonces[s]!,
            maxPriorityFeePerGas: 1_000_000_000n,
            maxFeePerGas: 100_000_000_000n,
            gasLimit: isToken ? 100_000n : 21_000n,
            to: isToken ? token : to,
            value: isToken ? 0n : BigInt(1 + Math.floor(rand() * 1e6)),
            data: isToken ? tokenTransferData(to, BigInt(1 + Math.floor(rand() * 1e6))) : new Uint8Array(0),
            accessList: [],
          },
          keys[s]!,
        );
        nonces[s]!++;
        raws.push(encodeTransaction(tx));
      }
      const block = await chain.buildBlock(raws);
      await chain.importBlock(block);
      blocks.push(block);
      gasUsed += block.header.gasUsed;
      txCount += raws.length;
    }
  } finally {
    await storage.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  return { genesisJson, blocks, gasUsed, txCount };
}
