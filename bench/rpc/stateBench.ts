/**
 * The public state and execution methods through the JSON-RPC dispatcher (no HTTP: the server-level figures
 * are the `rpc` server bench's): eth_getBalance at the head (flat state, main thread) and at an old block
 * (state trie, execute pool), and eth_call of an ERC-20 `balanceOf` at the head and at an old block (WASM
 * EVM in the execute pool). Sequential requests give the latency (p50/p99); 16 in flight the throughput.
 * Every answer is checked before timing. BENCH_RPC_STATE_N sets the requests per figure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chain } from "../../node/chain/chain.ts";
import { devGenesisJson, devKeys } from "../../node/chain/chainGenerator.ts";
import { bigintToFixedBytes } from "../../node/core/bytes.ts";
import { parseGenesisText } from "../../node/core/chain/genesisJson.ts";
import { privateKeyToAddress } from "../../node/core/crypto/secp256k1.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { ExecutePool } from "../../node/pool/executePool.ts";
import { RecoverPool } from "../../node/pool/recoverPool.ts";
import { stateMethods } from "../../node/rpc/eth/state.ts";
import type { BlockRef } from "../../node/rpc/eth/stateContext.ts";
import { JsonRpcDispatcher } from "../../node/rpc/jsonrpc.ts";
import { writeGenesis } from "../../node/state/genesis.ts";
import { openStorage, type Storage } from "../../node/storage/storage.ts";

const N = Number(process.env.BENCH_RPC_STATE_N ?? 2000);
const IN_FLIGHT = 16;
const OLD_BLOCKS = 8;

/**
 * A minimal ERC-20 `balanceOf(address)`: selector check, then sload(the address word) — the dev token's
 * storage layout (slot = holder address).
 */
export const BALANCE_OF_CODE = "0x5f3560e01c6370a08231146011575f5ffd5b600435545f5260205ff3";
export const ERC20 = `0x${"00".repeat(18)}70c1`;
export const TOKENS = 10n ** 21n;

/**
 * Writes the dev genesis (8 funded keys, 10^24 wei each) plus the `balanceOf` contract at ERC20, where each
 * key's address holds TOKENS, into `storage`; returns the holders. The `rpcload` suite serves it too.
 */
export async function writeBalanceOfGenesis(storage: Storage): Promise<Uint8Array[]> {
  const keys = devKeys(8);
  const holders = keys.map((k) => privateKeyToAddress(k));
  const genesis = parseGenesisText(devGenesisJson(keys));
  const tokenStorage = new Map(
    holders.map((h) => [bytesToHex(bigintToFixedBytes(BigInt(bytesToHex(h)), 32)), TOKENS]),
  );
  const alloc = new Map(genesis.alloc);
  alloc.set(ERC20, {
    balance: 0n,
    nonce: 0n,
    code: hexToBytes(BALANCE_OF_CODE),
    storage: tokenStorage,
  });
  await writeGenesis(storage, { ...genesis, alloc });
  return holders;
}

async function measure(
  dispatcher: JsonRpcDispatcher,
  request: string,
  expected: string,
): Promise<{ rps: number; p50: number; p99: number; rpsParallel: number }> {
  const check = JSON.parse((await dispatcher.handle(request))!);
  if (check.result !== expected) throw new Error(`unexpected answer ${JSON.stringify(check)} to ${request}`);
  for (let i = 0; i < 100; i++) await dispatcher.handle(request);
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    await dispatcher.handle(request);
    lat.push(performance.now() - s);
  }
  const seq = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const t1 = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (sent < N) {
        sent++;
        await dispatcher.handle(request);
      }
    }),
  );
  const par = (performance.now() - t1) / 1000;
  return {
    rps: N / seq,
    p50: lat[Math.floor(lat.length * 0.5)]!,
    p99: lat[Math.floor(lat.length * 0.99)]!,
    rpsParallel: N / par,
  };
}

export async function runStateRpcBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "fastevm-bench-rpcstate-"));
  const storage = openStorage(join(dir, "datadir"), { noSync: true });
  const recover = new RecoverPool({ threads: 1 });
  const execute = new ExecutePool({ threads: 1 });
  try {
    const holders = await writeBalanceOfGenesis(storage);
    const chain = new Chain(storage, {
      recover: (txs, chainId) => (txs.length === 0 ? Promise.resolve([]) : recover.recover(txs, chainId)),
      execute: (t) => execute.execute(t),
    });
    for (let i = 0; i < OLD_BLOCKS; i++) await chain.importBlock(await chain.buildBlock([]));
    const resolveBlock = (p: unknown): BlockRef | null => {
      if (p === "latest") return chain.store.head();
      const hash = chain.store.canonicalHash(BigInt(p as string));
      const header = hash === undefined ? undefined : chain.store.header(hash);
      return hash === undefined || header === undefined ? null : { hash, header };
    };
    const dispatcher = new JsonRpcDispatcher(stateMethods({ chain, resolveBlock, exec: execute }), {
      log: () => {},
    });
    const holder = bytesToHex(holders[3]!);
    const balance = `0x${(10n ** 24n).toString(16)}`;
    const balanceOf = `0x70a08231${holder.slice(2).padStart(64, "0")}`;
    const word = bytesToHex(bigintToFixedBytes(TOKENS, 32));
    const req = (method: string, params: unknown[]) =>
      JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const rows: [string, string, string][] = [
      ["eth_getBalance (head, flat state)", req("eth_getBalance", [holder, "latest"]), balance],
      ["eth_getBalance (block 1, state trie)", req("eth_getBalance", [holder, "0x1"]), balance],
      ["eth_call balanceOf (head)", req("eth_call", [{ to: ERC20, input: balanceOf }, "latest"]), word],
      [
        "eth_call balanceOf (block 1, state trie)",
        req("eth_call", [{ to: ERC20, input: balanceOf }, "0x1"]),
        word,
      ],
    ];
    console.log(
      `| request (through the dispatcher, ${N} each) | req/s sequential | p50 ms | p99 ms | req/s, ${IN_FLIGHT} in flight |`,
    );
    console.log("|---|---:|---:|---:|---:|");
    for (const [name, request, expected] of rows) {
      const r = await measure(dispatcher, request, expected);
      console.log(
        `| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.rpsParallel.toFixed(0)} |`,
      );
    }
  } finally {
    await Promise.all([recover.close(), execute.close()]);
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
