/**
 * Runner for GeneralStateTests-format files: every `post` entry of one fork, each (data, gas, value)
 * index, executed on the WASM EVM and checked against the expected post-state root and logs hash
 * (keccak of the RLP log list). Expected-exception cases pass when the transaction is rejected and the
 * state root is unchanged.
 */

import { sharedEvm } from "../../wasm/bindings/evmModule.ts";
import type { BlockEnv, EvmLog, EvmResult } from "../../wasm/bindings/evmTypes.ts";
import { blobBaseFee } from "../core/chain/fees.ts";
import { isValidationError } from "../core/errors.ts";
import { fixtureError, fixtureTests, isJsonObject } from "../core/fixtureJson.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex, hexToBytes } from "../core/hex.ts";
import { encodeRlp } from "../core/rlp.ts";
import { MemoryState } from "./memoryState.ts";
import { prepareTransaction, type TxFields } from "./transition.ts";

type Hex = string;
interface JsonAccount {
  balance: Hex;
  nonce: Hex;
  code: Hex;
  storage: Record<Hex, Hex>;
}
interface JsonPost {
  hash: Hex;
  logs: Hex;
  indexes: { data: number; gas: number; value: number };
  expectException?: string;
}
export interface StateTestJson {
  env: Record<string, Hex>;
  pre: Record<Hex, JsonAccount>;
  transaction: Record<string, unknown>;
  post: Record<string, JsonPost[]>;
}

export interface CaseResult {
  readonly name: string;
  readonly fork: string;
  readonly index: number;
  readonly indexes: { data: number; gas: number; value: number };
  readonly pass: boolean;
  readonly error?: string;
  readonly gasUsed: bigint;
  /** wall time of the EVM call in ns (bench mode: the median) */
  readonly timeNs?: number;
}

/** Fixture quantities: "0x…", "0x" (zero), or the "0x:bigint 0x…" spelling of values beyond 64 bits. */
const big = (h: unknown): bigint => {
  if (typeof h !== "string") return 0n;
  const v = h.startsWith("0x:bigint ") ? h.slice(10) : h;
  return BigInt(v.length > 2 ? v : "0x0");
};
const bytes = (h: unknown): Uint8Array =>
  typeof h === "string" ? hexToBytes(h.startsWith("0x") ? h : `0x${h}`) : new Uint8Array(0);

export function loadPre(pre: Record<Hex, JsonAccount>): MemoryState {
  const st = new MemoryState();
  for (const [addr, a] of Object.entries(pre)) {
    const storage = new Map<string, bigint>();
    for (const [k, v] of Object.entries(a.storage)) storage.set(bytesToHex(hexToBytes32(k)), big(v));
    st.set(hexToBytes(addr), { nonce: big(a.nonce), balance: big(a.balance), code: bytes(a.code), storage });
  }
  return st;
}

function hexToBytes32(h: Hex): Uint8Array {
  const v = big(h);
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function blockEnv(env: Record<string, Hex>): BlockEnv {
  return {
    coinbase: hexToBytes(env.currentCoinbase ?? "0x", 20),
    number: big(env.currentNumber),
    timestamp: big(env.currentTimestamp),
    gasLimit: big(env.currentGasLimit),
    prevRandao: hexToBytes32(env.currentRandom ?? env.currentDifficulty ?? "0x0"),
    baseFee: big(env.currentBaseFee ?? "0x0"),
    blobBaseFee: blobBaseFee(big(env.currentExcessBlobGas ?? "0x0")),
    chainId: 1n,
  };
}

export function txFieldsOf(
  t: Record<string, unknown>,
  idx: { data: number; gas: number; value: number },
): TxFields {
  const arr = (k: string): unknown[] => (Array.isArray(t[k]) ? (t[k] as unknown[]) : []);
  const lists = arr("accessLists");
  const al = (lists[idx.data] ?? []) as { address: Hex; storageKeys: Hex[] }[];
  const to = typeof t.to === "string" && t.to.length > 2 ? hexToBytes(t.to, 20) : null;
  const base = {
    sender: hexToBytes(t.sender as string, 20),
    to,
    nonce: big(t.nonce),
    value: big(arr("value")[idx.value]),
    gasLimit: big(arr("gasLimit")[idx.gas]),
    data: bytes(arr("data")[idx.data]),
    accessList: al.map((e) => ({
      address: hexToBytes(e.address, 20),
      storageKeys: e.storageKeys.map(hexToBytes32),
    })),
  };
  const blob =
    t.blobVersionedHashes !== undefined
      ? {
          maxFeePerBlobGas: big(t.maxFeePerBlobGas),
          blobVersionedHashes: (t.blobVersionedHashes as Hex[]).map((h) => bytes(h)),
        }
      : {};
  if (t.maxFeePerGas !== undefined)
    return {
      ...base,
      ...blob,
      maxFeePerGas: big(t.maxFeePerGas),
      maxPriorityFeePerGas: big(t.maxPriorityFeePerGas),
    };
  return { ...base, ...blob, gasPrice: big(t.gasPrice) };
}

export function logsHash(logs: readonly EvmLog[]): Uint8Array {
  return keccak256(encodeRlp(logs.map((l) => [l.address, l.topics, l.data])));
}

/** The forks whose rules the WASM EVM implements: post entries of any other fork cannot be checked. */
export const STATE_TEST_FORKS: readonly string[] = ["Cancun"];

/**
 * Checks that parsed JSON is a GeneralStateTests file: an object of tests, each with `env`, `pre`,
 * `transaction` and `post` objects. Anything else is FIXTURE_INVALID, naming `source` and what is missing.
 */
export function asStateTestFile(json: unknown, source: string): Record<string, StateTestJson> {
  const kind = "GeneralStateTests";
  for (const [name, t] of fixtureTests(json, source, kind))
    for (const k of ["env", "pre", "transaction", "post"])
      if (!isJsonObject(t[k])) throw fixtureError(source, kind, `test ${name} has no ${k} object`);
  return json as Record<string, StateTestJson>;
}

export interface RunOptions {
  readonly fork?: string;
  /** repeat each case this many times and report the median (fastevm statetest --bench) */
  readonly benchRuns?: number;
}

/** Runs every case of one test (one top-level key of a fixture file). */
export function runStateTest(name: string, test: StateTestJson, opts: RunOptions = {}): CaseResult[] {
  const fork = opts.fork ?? "Cancun";
  const posts = test.post[fork] ?? [];
  const env = blockEnv(test.env);
  const pre = loadPre(test.pre);
  const evm = sharedEvm();
  const results: CaseResult[] = [];
  posts.forEach((post, index) => {
    const state = pre.clone();
    let result: EvmResult | undefined;
    let error: string | undefined;
    let timeNs: number | undefined;
    try {
      const tx = prepareTransaction(
        txFieldsOf(test.transaction, post.indexes),
        { env, gasAvailable: env.gasLimit },
        state,
      );
      const runs = opts.benchRuns ?? 1;
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = process.hrtime.bigint();
        result = evm.execute(env, tx, state);
        times.push(Number(process.hrtime.bigint() - t0));
      }
      times.sort((a, b) => a - b);
      timeNs = times[Math.floor(times.length / 2)];
      if (result !== undefined) state.apply(result.changes);
    } catch (e) {
      if (!isValidationError(e)) throw e;
      error = e.message;
    }
    let pass: boolean;
    let why: string | undefined;
    if (post.expectException !== undefined) {
      // a rejected transaction leaves the state as it was: the fixture's root is the pre-state root
      const root = result === undefined ? bytesToHex(state.stateRoot()) : "";
      pass = result === undefined && root === post.hash.toLowerCase();
      why = pass
        ? undefined
        : result !== undefined
          ? `expected exception ${post.expectException}, tx was executed`
          : `state root ${root} != ${post.hash} after rejecting the transaction`;
    } else if (result === undefined) {
      pass = false;
      why = `transaction rejected: ${error}`;
    } else {
      const root = bytesToHex(state.stateRoot());
      const lh = bytesToHex(logsHash(result.logs));
      pass = root === post.hash.toLowerCase() && lh === post.logs.toLowerCase();
      why = pass
        ? undefined
        : root !== post.hash.toLowerCase()
          ? `state root ${root} != ${post.hash}`
          : `logs hash ${lh} != ${post.logs}`;
    }
    const base = { name, fork, index, indexes: post.indexes, pass, gasUsed: result?.gasUsed ?? 0n };
    results.push({
      ...base,
      ...(why !== undefined ? { error: why } : {}),
      ...(timeNs !== undefined ? { timeNs } : {}),
    });
  });
  return results;
}

/** Runs every test in one parsed fixture file. */
export function runStateTestFile(json: Record<string, StateTestJson>, opts: RunOptions = {}): CaseResult[] {
  const out: CaseResult[] = [];
  for (const [name, test] of Object.entries(json)) out.push(...runStateTest(name, test, opts));
  return out;
}
