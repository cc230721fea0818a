/**
 * The LMDB table registry of the whole node (ARCHITECTURE §6). Each table is a named sub-database of the one
 * environment per datadir; its `name` is the on-disk identity and is NEVER renamed or reused. Keys and values
 * are raw bytes (`binary` encoding) unless a table says otherwise; integers in keys are fixed-width big-endian
 * so that LMDB's byte order is numeric order.
 */
export interface TableSpec {
  /** the LMDB sub-database name: stable forever */
  readonly name: string;
}

export const TABLES = {
  /** address (20) -> account RLP `[nonce, balance, storageRoot, codeHash]`: the latest state, flat */
  accounts: { name: "accounts" },
  /** address (20) ‖ slot (32) -> value (32-byte word, big-endian): the latest storage, flat; zero = absent */
  storage: { name: "storage" },
  /** codeHash (32) -> contract bytecode */
  code: { name: "code" },
  /** node hash (32) -> RLP-encoded trie node, shared by the state trie and all storage tries */
  trieNodes: { name: "trie_nodes" },
  /** block hash (32) -> RLP-encoded header */
  headers: { name: "headers" },
  /** block hash (32) -> RLP-encoded body `[transactions, ommers, withdrawals?]` */
  bodies: { name: "bodies" },
  /** block hash (32) -> RLP list of the block's EIP-2718 receipt encodings (as byte strings) */
  receipts: { name: "receipts" },
  /** block number (8, big-endian) -> canonical block hash (32) */
  canonical: { name: "canonical" },
  /** transaction hash (32) -> block hash (32) ‖ index in block (4, big-endian) */
  txIndex: { name: "tx_index" },
  /** block hash (32) -> the block's state diff (pre and post value of every account and slot it changed): reorgs */
  stateDiffs: { name: "state_diffs" },
  /**
   * block hash (32) -> its transaction hashes, 32 bytes each in block order (written by the import, which
   * recovery already hashed; fork choice moves the tx index with them). Absent for blocks of older datadirs:
   * readers hash the body's transactions then.
   */
  txHashes: { name: "tx_hashes" },
  /** consensus block round (4) ‖ author (4) ‖ digest (32), big-endian -> serialized signed DAG block */
  consensusBlocks: { name: "consensus_blocks" },
  /** commit index (8, big-endian) -> serialized commit (leader, sub-DAG refs, timestamp) */
  consensusCommits: { name: "consensus_commits" },
  /** UTF-8 key (see `META_KEYS`) -> value: head/safe/finalized hashes, last executed commit index, … */
  meta: { name: "meta" },
} as const satisfies Record<string, TableSpec>;

export type TableId = keyof typeof TABLES;

/** Keys of the `meta` table. */
export const META_KEYS = {
  /** -> hash (32) of the genesis block; present once `fastevm init` has completed */
  genesisHash: "genesis_hash",
  /** -> the chain config, JSON (as parsed from genesis.json, integers as decimal strings) */
  chainConfig: "chain_config",
  /** -> hash (32) of the canonical head block */
  headHash: "head_hash",
  /** -> hash (32) of the safe block */
  safeHash: "safe_hash",
  /** -> hash (32) of the finalized block */
  finalizedHash: "finalized_hash",
  /** -> commit index (8, big-endian) of the last executed consensus commit */
  lastExecutedCommit: "last_executed_commit",
  /** -> schema version (4, big-endian) of this datadir's layout */
  schemaVersion: "schema_version",
} as const;

/** Bumped whenever a table's key or value format changes incompatibly. */
export const SCHEMA_VERSION = 1;
