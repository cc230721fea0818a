/**
 * Runner for BlockchainTests-format files: each case gets a fresh datadir holding its genesis and `pre`
 * state; its blocks are imported in order through the real chain (pools, LMDB, one transaction per block).
 * A valid block must import, one with `expectException` must be rejected (head unchanged); at the end the
 * head must be `lastblockhash` and the flat state must equal `postState` (or the head's root `postStateHash`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeBlock } from "../core/block/block.ts";
import { headerHash } from "../core/block/header.ts";
import { equalBytes } from "../core/bytes.ts";
import { chainConfigForFork, FORKS, type Fork } from "../core/chain/chainConfig.ts";
import { parseGenesisAlloc } from "../core/chain/genesisJson.ts";
import { ErrorCode, FastEvmError, isFastEvmError, isValidationError } from "../core/errors.ts";
import { fixtureError, fixtureTests } from "../core/fixtureJson.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex, hexToBytes, looseHexToBytes } from "../core/hex.ts";
import { EMPTY_CODE_HASH } from "../state/account.ts";
import { writeGenesis } from "../state/genesis.ts";
import { openStorage, type Storage } from "../storage/storage.ts";
import { Chain, type ChainWorkers } from "./chain.ts";

export interface BlockTestJson {
  network: string;
  genesisRLP: string;
  genesisBlockHeader: Record<string, string>;
  pre: Record<string, unknown>;
  blocks: { rlp: string; expectException?: string }[];
  lastblockhash: string;
  postState?: Record<
    string,
    { balance: string; nonce: string; code: string; storage: Record<string, string> }
  >;
  postStateHash?: string;
}

export interface BlockTestResult {
  readonly name: string;
  readonly pass: boolean;
  /** the case's network is not one of BLOCK_TEST_FORKS: not run, and not a pass */
  readonly skipped?: boolean;
  readonly error?: string;
  readonly blocks: number;
  readonly ms: number;
  /**
   * each rejected block: the fixture's expected exception, the code we rejected it with and, for an invalid
   * transaction (BLOCK_INVALID_TX), the transaction's own TX_* code (`meta.cause`)
   */
  readonly rejections: readonly {
    readonly block: number;
    readonly expected: string;
    readonly code: string;
    readonly cause?: string;
  }[];
}

/** The `network`s whose cases run; cases of any other fork are skipped. */
export const BLOCK_TEST_FORKS: readonly Fork[] = ["Paris", "Shanghai", "Cancun"];

/**
 * A fixture is replayed whole, however deep its side branches go (geth's block tests have no reorg limit):
 * the node's policy (`DEFAULT_MAX_REORG_DEPTH`) is not a rule the fixtures were written against.
 */
export const FIXTURE_MAX_REORG_DEPTH = 1024;

/**
 * Checks that parsed JSON is a BlockchainTests file: an object of tests, each with a `network` name, a
 * `genesisRLP`, a `blocks` list and a `lastblockhash`. Anything else (a state test, a genesis.json) is
 * FIXTURE_INVALID, naming `source` and what is missing.
 */
export function asBlockTestFile(json: unknown, source: string): Record<string, BlockTestJson> {
  const kind = "BlockchainTests";
  for (const [name, t] of fixtureTests(json, source, kind)) {
    for (const k of ["network", "genesisRLP", "lastblockhash"])
      if (typeof t[k] !== "string") throw fixtureError(source, kind, `test ${name} has no ${k}`);
    if (!Array.isArray(t.blocks)) throw fixtureError(source, kind, `test ${name} has no blocks list`);
  }
  return json as Record<string, BlockTestJson>;
}

/**
 * Writes a BlockchainTests case's genesis (its `genesisRLP` header and `pre` alloc) into `storage` under the
 * rules of `fork`, and checks the resulting genesis hash against the fixture's.
 */
export async function writeFixtureGenesis(
  storage: Storage,
  test: Pick<BlockTestJson, "genesisRLP" | "pre">,
  fork: Fork,
): Promise<void> {
  const g = decodeBlock(looseHexToBytes(test.genesisRLP)).header;
  const built = await writeGenesis(storage, {
    config: chainConfigForFork(fork),
    nonce: g.nonce,
    timestamp: g.timestamp,
    extraData: g.extraData,
    gasLimit: g.gasLimit,
    difficulty: g.difficulty,
    mixHash: g.mixHash,
    coinbase: g.coinbase,
    number: g.number,
    gasUsed: g.gasUsed,
    parentHash: g.parentHash,
    ...(g.baseFeePerGas === undefined ? {} : { baseFeePerGas: g.baseFeePerGas }),
    ...(g.excessBlobGas === undefined ? {} : { excessBlobGas: g.excessBlobGas }),
    ...(g.blobGasUsed === undefined ? {} : { blobGasUsed: g.blobGasUsed }),
    alloc: parseGenesisAlloc(test.pre, "pre"),
  });
  if (!equalBytes(built.hash, headerHash(g)))
    throw new FastEvmError(
      ErrorCode.GENESIS_INVALID,
      `genesis hash ${bytesToHex(built.hash)} != fixture ${bytesToHex(headerHash(g))}`,
    );
}

/** A fresh temp datadir with the case's genesis; `noSync` (throwaway). */
async function genesisStorage(test: BlockTestJson, fork: Fork): Promise<{ storage: Storage; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "fastevm-blocktest-"));
  const storage = openStorage(join(dir, "datadir"), { noSync: true });
  await writeFixtureGenesis(storage, test, fork);
  return { storage, dir };
}

/** Differences between the flat state at the head and the fixture's postState (empty when equal). */
function comparePostState(chain: Chain, post: NonNullable<BlockTestJson["postState"]>): string[] {
  const out: string[] = [];
  let count = 0;
  for (const _ of chain.storage.tables.accounts.getKeys()) count++;
  if (count !== Object.keys(post).length) out.push(`${count} accounts, expected ${Object.keys(post).length}`);
  for (const [addr, want] of Object.entries(post)) {
    const a = chain.store.account(hexToBytes(addr, 20));
    if (a === undefined) {
      out.push(`${addr} missing`);
      continue;
    }
    if (a.balance !== BigInt(want.balance))
      out.push(`${addr} balance ${a.balance} != ${BigInt(want.balance)}`);
    if (a.nonce !== BigInt(want.nonce)) out.push(`${addr} nonce ${a.nonce} != ${BigInt(want.nonce)}`);
    const code = looseHexToBytes(want.code);
    const codeHash = code.length === 0 ? EMPTY_CODE_HASH : keccak256(code);
    if (!equalBytes(a.codeHash, codeHash)) out.push(`${addr} code hash differs`);
    for (const [slot, v] of Object.entries(want.storage)) {
      const got = chain.store.storageAt(hexToBytes(addr, 20), bytesToBigintWord(slot));
      if (got !== BigInt(v)) out.push(`${addr} slot ${slot} = ${got}, expected ${BigInt(v)}`);
    }
  }
  return out;
}

function bytesToBigintWord(h: string): Uint8Array {
  const v = BigInt(h);
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0 && x > 0n; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** Runs one case; never throws for a failing case (the reason is in `error`). */
export async function runBlockTest(
  name: string,
  test: BlockTestJson,
  workers: ChainWorkers,
): Promise<BlockTestResult> {
  const t0 = performance.now();
  const fork = test.network as Fork;
  if (!BLOCK_TEST_FORKS.includes(fork) || !FORKS.includes(fork))
    return {
      name,
      pass: false,
      skipped: true,
      error: `network ${test.network} is not run (supported: ${BLOCK_TEST_FORKS.join(", ")})`,
      blocks: 0,
      ms: 0,
      rejections: [],
    };
  let env: { storage: Storage; dir: string } | undefined;
  const rejections: { block: number; expected: string; code: string; cause?: string }[] = [];
  const done = (pass: boolean, error?: string): BlockTestResult => ({
    name,
    pass,
    blocks: test.blocks.length,
    ms: performance.now() - t0,
    rejections,
    ...(error === undefined ? {} : { error }),
  });
  try {
    env = await genesisStorage(test, fork);
    const chain = new Chain(env.storage, workers, { maxReorgDepth: FIXTURE_MAX_REORG_DEPTH });
    for (const [i, b] of test.blocks.entries()) {
      const headBefore = chain.head().hash;
      let error: unknown;
      try {
        await chain.importBlock(decodeBlock(looseHexToBytes(b.rlp)));
      } catch (e) {
        // a rejection names a rule the block breaks, or its unknown parent (fixtures expect both); storage,
        // EVM or runner failures are errors of ours
        if (!isValidationError(e) && !isFastEvmError(e, ErrorCode.BLOCK_UNKNOWN_PARENT)) throw e;
        error = e;
      }
      if (b.expectException === undefined && error !== undefined)
        return done(false, `block ${i}: valid block rejected: ${(error as Error).message}`);
      if (b.expectException !== undefined) {
        if (error === undefined)
          return done(false, `block ${i}: expected ${b.expectException}, block was imported`);
        if (!equalBytes(chain.head().hash, headBefore))
          return done(false, `block ${i}: rejected block moved the head`);
        const { code, meta } = error as FastEvmError<string>;
        const cause = meta?.cause;
        rejections.push({
          block: i,
          expected: b.expectException,
          code,
          ...(typeof cause === "string" ? { cause } : {}),
        });
      }
    }
    const head = chain.head();
    if (bytesToHex(head.hash) !== test.lastblockhash.toLowerCase())
      return done(false, `head ${bytesToHex(head.hash)} != lastblockhash ${test.lastblockhash}`);
    if (test.postState !== undefined) {
      const diffs = comparePostState(chain, test.postState);
      if (diffs.length > 0) return done(false, `post state: ${diffs.slice(0, 3).join("; ")}`);
    } else if (
      test.postStateHash !== undefined &&
      bytesToHex(head.header.stateRoot) !== test.postStateHash.toLowerCase()
    ) {
      return done(
        false,
        `state root ${bytesToHex(head.header.stateRoot)} != postStateHash ${test.postStateHash}`,
      );
    }
    return done(true);
  } catch (e) {
    return done(false, `runner error: ${(e as Error).message}`);
  } finally {
    if (env !== undefined) {
      await env.storage.close();
      rmSync(env.dir, { recursive: true, force: true });
    }
  }
}

/** Runs every case of one parsed file. */
export async function runBlockTestFile(
  json: Record<string, BlockTestJson>,
  workers: ChainWorkers,
): Promise<BlockTestResult[]> {
  const out: BlockTestResult[] = [];
  for (const [name, test] of Object.entries(json)) out.push(await runBlockTest(name, test, workers));
  return out;
}
