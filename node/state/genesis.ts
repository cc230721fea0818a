/**
 * The genesis block and state of a geth genesis.json: header fields follow geth's `Genesis.ToBlock` (defaults
 * for gas limit and difficulty; EIP-1559 initial base fee when London is active at block 0; Shanghai and Cancun
 * fields when active at the genesis timestamp), the state root comes from the alloc.
 */
import { type Block, encodeBody } from "../core/block/block.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, encodeHeader, headerHash } from "../core/block/header.ts";
import { encodeBlockReceipts } from "../core/block/receipt.ts";
import { bigintToFixedBytes, equalBytes } from "../core/bytes.ts";
import { type ChainConfig, isCancun, isLondon, isShanghai } from "../core/chain/chainConfig.ts";
import type { Genesis } from "../core/chain/genesisJson.ts";
import { GENESIS_DIFFICULTY, GENESIS_GAS_LIMIT, INITIAL_BASE_FEE } from "../core/chain/params.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import { keccak256 } from "../core/hash.ts";
import { bytesToHex, hexToBytes } from "../core/hex.ts";
import { EMPTY_TRIE_ROOT } from "../core/trie/trieRoot.ts";
import { metaKey, storageKey, u64Key } from "../storage/keys.ts";
import type { Storage } from "../storage/storage.ts";
import { META_KEYS, SCHEMA_VERSION } from "../storage/tables.ts";
import { TrieNodeStore } from "../storage/trieNodeStore.ts";
import { encodeAccount } from "./account.ts";
import { computeStateRoot, toTrieAccount } from "./stateRoot.ts";
import { SyncStateTrie } from "./syncStateTrie.ts";

export interface GenesisBlock {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly stateRoot: Uint8Array;
}

const ZERO_HASH = new Uint8Array(32);

/**
 * Difficulty when genesis.json gives none: 0 for a chain merged from genesis (terminalTotalDifficulty 0);
 * otherwise geth's PoW-era rule (GENESIS_DIFFICULTY when mixHash is zero too).
 */
function defaultDifficulty(g: Genesis): bigint {
  if (g.config.terminalTotalDifficulty === 0n) return 0n;
  return equalBytes(g.mixHash, ZERO_HASH) ? GENESIS_DIFFICULTY : 0n;
}

/** The genesis header for `g` with the given state root. */
export function genesisHeader(g: Genesis, stateRoot: Uint8Array): BlockHeader {
  const c = g.config;
  let header: BlockHeader = {
    parentHash: g.parentHash,
    ommersHash: EMPTY_OMMERS_HASH,
    coinbase: g.coinbase,
    stateRoot,
    transactionsRoot: EMPTY_TRIE_ROOT,
    receiptsRoot: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: g.difficulty ?? defaultDifficulty(g),
    number: g.number,
    gasLimit: g.gasLimit === undefined || g.gasLimit === 0n ? GENESIS_GAS_LIMIT : g.gasLimit,
    gasUsed: g.gasUsed,
    timestamp: g.timestamp,
    extraData: g.extraData,
    mixHash: g.mixHash,
    nonce: g.nonce,
  };
  if (isLondon(c, g.number)) header = { ...header, baseFeePerGas: g.baseFeePerGas ?? INITIAL_BASE_FEE };
  if (isShanghai(c, g.timestamp)) header = { ...header, withdrawalsRoot: EMPTY_TRIE_ROOT };
  if (isCancun(c, g.timestamp)) {
    header = {
      ...header,
      blobGasUsed: g.blobGasUsed ?? 0n,
      excessBlobGas: g.excessBlobGas ?? 0n,
      parentBeaconBlockRoot: ZERO_HASH,
    };
  }
  return header;
}

/** Genesis block, hash and state root, computed in memory (no I/O). */
export function buildGenesis(g: Genesis): GenesisBlock {
  const stateRoot = computeStateRoot(g.alloc);
  const header = genesisHeader(g, stateRoot);
  const block: Block =
    header.withdrawalsRoot === undefined
      ? { header, transactions: [], ommers: [] }
      : { header, transactions: [], ommers: [], withdrawals: [] };
  return { block, hash: headerHash(header), stateRoot };
}

/** The chain config as JSON with integers as decimal strings (bigints do not survive JSON.stringify). */
export function chainConfigToJson(c: ChainConfig): string {
  // FastEVM keys go back under `fastevm`, the shape parseChainConfig reads
  const { timestampRule, feeRecipient, ...rest } = c;
  const fastevm = {
    ...(timestampRule === undefined ? {} : { timestampRule }),
    ...(feeRecipient === undefined ? {} : { feeRecipient }),
  };
  const json = Object.keys(fastevm).length === 0 ? rest : { ...rest, fastevm };
  return JSON.stringify(json, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Writes the genesis state (flat tables and trie nodes), block, canonical index and meta into `storage` in one
 * LMDB transaction. Refuses a datadir that already holds a genesis. Returns what it wrote.
 */
export async function writeGenesis(storage: Storage, g: Genesis): Promise<GenesisBlock> {
  const t = storage.tables;
  if (t.meta.get(metaKey(META_KEYS.genesisHash)) !== undefined) {
    throw new FastEvmError(ErrorCode.DATADIR_EXISTS, `datadir ${storage.datadir} is already initialized`);
  }
  const built = buildGenesis(g);
  // Build the trie nodes through the real trie layer; its root must match the in-memory computation.
  const nodes = TrieNodeStore.forStorage(storage);
  const state = new SyncStateTrie(nodes);
  for (const [address, acc] of g.alloc) {
    const storageTrie = state.storageTrie();
    for (const [slot, value] of acc.storage) storageTrie.putSlot(hexToBytes(slot, 32), value);
    const account = toTrieAccount(acc);
    if (!equalBytes(storageTrie.commit(), account.storageRoot)) {
      throw new FastEvmError(ErrorCode.INTERNAL, `storage root mismatch for ${address}`);
    }
    state.putAccount(hexToBytes(address, 20), account);
  }
  const root = state.commit();
  if (!equalBytes(root, built.stateRoot)) {
    throw new FastEvmError(
      ErrorCode.INTERNAL,
      `state root mismatch: trie ${bytesToHex(root)}, memory ${bytesToHex(built.stateRoot)}`,
    );
  }
  const meta = (key: string, value: Uint8Array) => t.meta.putSync(metaKey(key), value);
  storage.env.transactionSync(() => {
    nodes.writeTo(t.trieNodes);
    for (const [address, acc] of g.alloc) {
      const addr = hexToBytes(address, 20);
      const account = toTrieAccount(acc);
      t.accounts.putSync(addr, encodeAccount(account));
      if (acc.code.length > 0) t.code.putSync(keccak256(acc.code), acc.code);
      for (const [slot, value] of acc.storage) {
        t.storage.putSync(storageKey(addr, hexToBytes(slot, 32)), bigintToFixedBytes(value, 32));
      }
    }
    t.headers.putSync(built.hash, encodeHeader(built.block.header));
    t.bodies.putSync(built.hash, encodeBody(built.block));
    t.receipts.putSync(built.hash, encodeBlockReceipts([]));
    t.canonical.putSync(u64Key(built.block.header.number), built.hash);
    for (const key of [
      META_KEYS.headHash,
      META_KEYS.safeHash,
      META_KEYS.finalizedHash,
      META_KEYS.genesisHash,
    ]) {
      meta(key, built.hash);
    }
    meta(META_KEYS.chainConfig, new TextEncoder().encode(chainConfigToJson(g.config)));
    meta(META_KEYS.schemaVersion, bigintToFixedBytes(BigInt(SCHEMA_VERSION), 4));
  });
  return built;
}
