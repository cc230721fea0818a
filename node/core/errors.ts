/**
 * The one error base of FastEVM. Library code throws `FastEvmError` (never a bare `Error`), so that every
 * failure carries a stable machine-readable `code`, optional structured `meta`, and survives a thread hop
 * (`toObject` / `fromObject`).
 *
 * Codes are grouped by domain with a prefix (`RLP_`, `HEX_`, `TX_`, …). Add new codes to `ErrorCode` below;
 * a code is part of the API and is never renamed.
 */
export const ErrorCode = {
  // generic
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  INTERNAL: "INTERNAL",
  NOT_FOUND: "NOT_FOUND",
  // hex / quantity encoding (execution-apis base types)
  HEX_INVALID: "HEX_INVALID",
  HEX_QUANTITY_INVALID: "HEX_QUANTITY_INVALID",
  HEX_LENGTH: "HEX_LENGTH",
  // RLP
  RLP_EMPTY: "RLP_EMPTY",
  RLP_TRUNCATED: "RLP_TRUNCATED",
  RLP_NON_CANONICAL: "RLP_NON_CANONICAL",
  RLP_TRAILING_BYTES: "RLP_TRAILING_BYTES",
  RLP_TOO_LARGE: "RLP_TOO_LARGE",
  RLP_UNEXPECTED_TYPE: "RLP_UNEXPECTED_TYPE",
  RLP_LEADING_ZERO: "RLP_LEADING_ZERO",
  // transactions
  TX_DECODE: "TX_DECODE",
  TX_UNSUPPORTED_TYPE: "TX_UNSUPPORTED_TYPE",
  TX_INVALID_SIGNATURE: "TX_INVALID_SIGNATURE",
  TX_INVALID_FIELD: "TX_INVALID_FIELD",
  TX_INTRINSIC_GAS: "TX_INTRINSIC_GAS",
  TX_INITCODE_TOO_LARGE: "TX_INITCODE_TOO_LARGE",
  TX_CHAIN_ID: "TX_CHAIN_ID",
  TX_TYPED_WRAPPED: "TX_TYPED_WRAPPED",
  TX_FIELD_COUNT: "TX_FIELD_COUNT",
  TX_INVALID_ADDRESS: "TX_INVALID_ADDRESS",
  TX_INVALID_V: "TX_INVALID_V",
  TX_SIGNATURE_HIGH_S: "TX_SIGNATURE_HIGH_S",
  TX_SENDER_RECOVERY: "TX_SENDER_RECOVERY",
  TX_NONCE_OVERFLOW: "TX_NONCE_OVERFLOW",
  TX_GAS_LIMIT_OVERFLOW: "TX_GAS_LIMIT_OVERFLOW",
  TX_FIELD_OVERFLOW: "TX_FIELD_OVERFLOW",
  TX_GAS_COST_OVERFLOW: "TX_GAS_COST_OVERFLOW",
  TX_TIP_ABOVE_FEE_CAP: "TX_TIP_ABOVE_FEE_CAP",
  TX_BLOB_CREATE: "TX_BLOB_CREATE",
  TX_BLOB_HASHES_EMPTY: "TX_BLOB_HASHES_EMPTY",
  TX_BLOB_HASH_VERSION: "TX_BLOB_HASH_VERSION",
  TX_TOO_MANY_BLOBS: "TX_TOO_MANY_BLOBS",
  TX_BLOB_SIDECAR: "TX_BLOB_SIDECAR",
  // blocks, headers, payloads
  HEADER_DECODE: "HEADER_DECODE",
  BLOCK_DECODE: "BLOCK_DECODE",
  RECEIPT_DECODE: "RECEIPT_DECODE",
  PAYLOAD_INVALID: "PAYLOAD_INVALID",
  // genesis / chain config
  GENESIS_INVALID: "GENESIS_INVALID",
  CHAIN_CONFIG_INVALID: "CHAIN_CONFIG_INVALID",
  // storage
  DATADIR_IN_USE: "DATADIR_IN_USE",
  DATADIR_EXISTS: "DATADIR_EXISTS",
  STORAGE: "STORAGE",
  // trie
  TRIE_INVALID: "TRIE_INVALID",
  // EVM
  EVM_INTERNAL: "EVM_INTERNAL",
  EVM_LOAD: "EVM_LOAD",
  // CLI
  CLI_USAGE: "CLI_USAGE",
  // block validation (one code per rule, so a rejection names what was wrong)
  BLOCK_PARENT_HASH: "BLOCK_PARENT_HASH",
  BLOCK_NUMBER: "BLOCK_NUMBER",
  BLOCK_GAS_LIMIT: "BLOCK_GAS_LIMIT",
  BLOCK_GAS_USED: "BLOCK_GAS_USED",
  BLOCK_BASE_FEE: "BLOCK_BASE_FEE",
  BLOCK_TIMESTAMP: "BLOCK_TIMESTAMP",
  BLOCK_EXTRA_DATA: "BLOCK_EXTRA_DATA",
  BLOCK_DIFFICULTY: "BLOCK_DIFFICULTY",
  BLOCK_NONCE: "BLOCK_NONCE",
  BLOCK_OMMERS: "BLOCK_OMMERS",
  BLOCK_COINBASE: "BLOCK_COINBASE",
  BLOCK_FORK_FIELDS: "BLOCK_FORK_FIELDS",
  BLOCK_BLOB_GAS_USED: "BLOCK_BLOB_GAS_USED",
  BLOCK_EXCESS_BLOB_GAS: "BLOCK_EXCESS_BLOB_GAS",
  // block body and execution results (chain)
  BLOCK_UNKNOWN_PARENT: "BLOCK_UNKNOWN_PARENT",
  BLOCK_TRANSACTIONS_ROOT: "BLOCK_TRANSACTIONS_ROOT",
  BLOCK_WITHDRAWALS_ROOT: "BLOCK_WITHDRAWALS_ROOT",
  BLOCK_INVALID_TX: "BLOCK_INVALID_TX",
  BLOCK_BLOB_GAS_LIMIT: "BLOCK_BLOB_GAS_LIMIT",
  BLOCK_GAS_USED_MISMATCH: "BLOCK_GAS_USED_MISMATCH",
  BLOCK_BLOB_GAS_USED_MISMATCH: "BLOCK_BLOB_GAS_USED_MISMATCH",
  BLOCK_LOGS_BLOOM: "BLOCK_LOGS_BLOOM",
  BLOCK_RECEIPTS_ROOT: "BLOCK_RECEIPTS_ROOT",
  BLOCK_STATE_ROOT: "BLOCK_STATE_ROOT",
  BLOCK_REORG_TOO_DEEP: "BLOCK_REORG_TOO_DEEP",
  CHAIN_FILE: "CHAIN_FILE",
  // worker pools
  POOL_FULL: "POOL_FULL",
  POOL_CLOSED: "POOL_CLOSED",
  // consensus (Mysticeti)
  CONSENSUS_BLOCK_INVALID: "CONSENSUS_BLOCK_INVALID",
  CONSENSUS_BLOCK_DECODE: "CONSENSUS_BLOCK_DECODE",
  CONSENSUS_COMMITTEE_INVALID: "CONSENSUS_COMMITTEE_INVALID",
  CONSENSUS_SAFETY_VIOLATION: "CONSENSUS_SAFETY_VIOLATION",
  CONSENSUS_INTERNAL: "CONSENSUS_INTERNAL",
  CONSENSUS_STORE: "CONSENSUS_STORE",
  CONSENSUS_KEY_INVALID: "CONSENSUS_KEY_INVALID",
  CONSENSUS_COMMIT_INVALID: "CONSENSUS_COMMIT_INVALID",
  CONSENSUS_ENGINE: "CONSENSUS_ENGINE",
  /** the execution node rejected a commit deterministically (node/consensus/execution/engineFailure.ts) */
  CONSENSUS_ENGINE_REJECTED: "CONSENSUS_ENGINE_REJECTED",
  // networking (libp2p)
  NETWORK_MESSAGE_TOO_LARGE: "NETWORK_MESSAGE_TOO_LARGE",
  NETWORK_PROTOCOL: "NETWORK_PROTOCOL",
  NETWORK_DECODE: "NETWORK_DECODE",
  NETWORK_UNREACHABLE: "NETWORK_UNREACHABLE",
  /** a consensus fetch that got no answer in time (node/network/roundTrip.ts) */
  NETWORK_TIMEOUT: "NETWORK_TIMEOUT",
  // block sync (node/sync): what a peer sent does not fit what was asked or what the chain says
  /** the peer's Status names another chain id or genesis block */
  SYNC_WRONG_CHAIN: "SYNC_WRONG_CHAIN",
  /** headers that are not the linked chain asked for (parent hash, numbers, count, origin) */
  SYNC_BAD_HEADERS: "SYNC_BAD_HEADERS",
  /** a body that does not match its header (transactions, withdrawals or ommers root) */
  SYNC_BAD_BODY: "SYNC_BAD_BODY",
  /** a request that got no answer in time */
  SYNC_TIMEOUT: "SYNC_TIMEOUT",
  // JSON-RPC / Engine API
  RPC_JWT_SECRET: "RPC_JWT_SECRET",
  RPC_SERVER: "RPC_SERVER",
  RPC_CLIENT: "RPC_CLIENT",
  PAYLOAD_BUILD: "PAYLOAD_BUILD",
  // transaction pool (node/txpool): one code per refusal; the message starts with geth's text
  TXPOOL_OVERSIZED: "TXPOOL_OVERSIZED",
  TXPOOL_CHAIN_ID: "TXPOOL_CHAIN_ID",
  TXPOOL_UNPROTECTED: "TXPOOL_UNPROTECTED",
  TXPOOL_TYPE_NOT_SUPPORTED: "TXPOOL_TYPE_NOT_SUPPORTED",
  TXPOOL_INVALID_SENDER: "TXPOOL_INVALID_SENDER",
  TXPOOL_GAS_LIMIT: "TXPOOL_GAS_LIMIT",
  TXPOOL_INTRINSIC_GAS: "TXPOOL_INTRINSIC_GAS",
  TXPOOL_TIP_ABOVE_FEE_CAP: "TXPOOL_TIP_ABOVE_FEE_CAP",
  TXPOOL_UNDERPRICED: "TXPOOL_UNDERPRICED",
  TXPOOL_NONCE_TOO_LOW: "TXPOOL_NONCE_TOO_LOW",
  TXPOOL_ALREADY_KNOWN: "TXPOOL_ALREADY_KNOWN",
  TXPOOL_INSUFFICIENT_FUNDS: "TXPOOL_INSUFFICIENT_FUNDS",
  TXPOOL_REPLACE_UNDERPRICED: "TXPOOL_REPLACE_UNDERPRICED",
  TXPOOL_FULL: "TXPOOL_FULL",
  TXPOOL_FUTURE_REPLACE_PENDING: "TXPOOL_FUTURE_REPLACE_PENDING",
  TXPOOL_ACCOUNT_LIMIT: "TXPOOL_ACCOUNT_LIMIT",
  TXPOOL_CONFIG: "TXPOOL_CONFIG",
  // test fixtures and command-line hygiene (cli)
  FIXTURE_INVALID: "FIXTURE_INVALID",
  NO_TEST_CASES: "NO_TEST_CASES",
  CHAIN_CONFIG_UNSUPPORTED: "CHAIN_CONFIG_UNSUPPORTED",
  // public JSON-RPC: state reads and execution (eth_call, eth_estimateGas, eth_createAccessList, eth_getProof)
  RPC_CALL_FAILED: "RPC_CALL_FAILED",
  RPC_GAS_ALLOWANCE: "RPC_GAS_ALLOWANCE",
  RPC_EVM_TIMEOUT: "RPC_EVM_TIMEOUT",
  RPC_BLOCK_NOT_FOUND: "RPC_BLOCK_NOT_FOUND",
  // transactions, stateful and block-level checks (node/evm/transition.ts, workers/execute/executeBlock.ts):
  // a property of the transaction against its parent state and block, so the execute worker's build mode
  // skips the transaction on them and verify mode rejects the block (BLOCK_INVALID_TX, `meta.cause`)
  TX_NONCE_TOO_LOW: "TX_NONCE_TOO_LOW",
  TX_NONCE_TOO_HIGH: "TX_NONCE_TOO_HIGH",
  TX_INSUFFICIENT_FUNDS: "TX_INSUFFICIENT_FUNDS",
  TX_GAS_LIMIT_EXCEEDS_BLOCK: "TX_GAS_LIMIT_EXCEEDS_BLOCK",
  TX_FEE_CAP_BELOW_BASE_FEE: "TX_FEE_CAP_BELOW_BASE_FEE",
  TX_SENDER_NOT_EOA: "TX_SENDER_NOT_EOA",
  TX_BLOB_FEE_CAP_TOO_LOW: "TX_BLOB_FEE_CAP_TOO_LOW",
  TX_BLOB_GAS_EXCEEDS_BLOCK: "TX_BLOB_GAS_EXCEEDS_BLOCK",
  // operations: metrics, health and logs (node/metrics)
  METRICS_SERVER: "METRICS_SERVER",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Which codes are validation errors: a verdict on an execution-layer input (hex or RLP encoding, a
 * transaction, a header, a block, a payload) that breaks a protocol rule, reached from the input alone or
 * with the state of its parent block, so every correct node reaches it, every time. Retrying cannot help:
 * the input is refused (an INVALID block, a skipped or refused transaction) and the node goes on.
 *
 * Everything else is not: internal faults and bugs (INTERNAL, STORAGE, TRIE_INVALID — a stored node that does
 * not decode —, EVM_INTERNAL, …), transient conditions (POOL_FULL, POOL_CLOSED, network), configuration and
 * usage (GENESIS_INVALID, CLI_USAGE, INVALID_ARGUMENT), and what depends on what this node has rather than on
 * the input: BLOCK_UNKNOWN_PARENT (not yet known: SYNCING), BLOCK_REORG_TOO_DEEP (beyond what it keeps) and
 * NOT_FOUND. Consensus and network inputs have their own rejection paths (`BlockRejectReason`, peer scores)
 * and some of their rules read the clock or the local DAG, so none of their codes is classified here.
 */
const VALIDATION = {
  INVALID_ARGUMENT: false,
  INTERNAL: false,
  NOT_FOUND: false,
  HEX_INVALID: true,
  HEX_QUANTITY_INVALID: true,
  HEX_LENGTH: true,
  RLP_EMPTY: true,
  RLP_TRUNCATED: true,
  RLP_NON_CANONICAL: true,
  RLP_TRAILING_BYTES: true,
  RLP_TOO_LARGE: true,
  RLP_UNEXPECTED_TYPE: true,
  RLP_LEADING_ZERO: true,
  TX_DECODE: true,
  TX_UNSUPPORTED_TYPE: true,
  TX_INVALID_SIGNATURE: true,
  TX_INVALID_FIELD: true,
  TX_INTRINSIC_GAS: true,
  TX_INITCODE_TOO_LARGE: true,
  TX_CHAIN_ID: true,
  TX_TYPED_WRAPPED: true,
  TX_FIELD_COUNT: true,
  TX_INVALID_ADDRESS: true,
  TX_INVALID_V: true,
  TX_SIGNATURE_HIGH_S: true,
  TX_SENDER_RECOVERY: true,
  TX_NONCE_OVERFLOW: true,
  TX_GAS_LIMIT_OVERFLOW: true,
  TX_FIELD_OVERFLOW: true,
  TX_GAS_COST_OVERFLOW: true,
  TX_TIP_ABOVE_FEE_CAP: true,
  TX_BLOB_CREATE: true,
  TX_BLOB_HASHES_EMPTY: true,
  TX_BLOB_HASH_VERSION: true,
  TX_TOO_MANY_BLOBS: true,
  TX_BLOB_SIDECAR: true,
  HEADER_DECODE: true,
  BLOCK_DECODE: true,
  RECEIPT_DECODE: true,
  PAYLOAD_INVALID: true,
  GENESIS_INVALID: false,
  CHAIN_CONFIG_INVALID: false,
  DATADIR_IN_USE: false,
  DATADIR_EXISTS: false,
  STORAGE: false,
  TRIE_INVALID: false,
  EVM_INTERNAL: false,
  EVM_LOAD: false,
  CLI_USAGE: false,
  BLOCK_PARENT_HASH: true,
  BLOCK_NUMBER: true,
  BLOCK_GAS_LIMIT: true,
  BLOCK_GAS_USED: true,
  BLOCK_BASE_FEE: true,
  BLOCK_TIMESTAMP: true,
  BLOCK_EXTRA_DATA: true,
  BLOCK_DIFFICULTY: true,
  BLOCK_NONCE: true,
  BLOCK_OMMERS: true,
  BLOCK_COINBASE: true,
  BLOCK_FORK_FIELDS: true,
  BLOCK_BLOB_GAS_USED: true,
  BLOCK_EXCESS_BLOB_GAS: true,
  BLOCK_UNKNOWN_PARENT: false,
  BLOCK_TRANSACTIONS_ROOT: true,
  BLOCK_WITHDRAWALS_ROOT: true,
  BLOCK_INVALID_TX: true,
  BLOCK_BLOB_GAS_LIMIT: true,
  BLOCK_GAS_USED_MISMATCH: true,
  BLOCK_BLOB_GAS_USED_MISMATCH: true,
  BLOCK_LOGS_BLOOM: true,
  BLOCK_RECEIPTS_ROOT: true,
  BLOCK_STATE_ROOT: true,
  BLOCK_REORG_TOO_DEEP: false,
  CHAIN_FILE: false,
  POOL_FULL: false,
  POOL_CLOSED: false,
  CONSENSUS_BLOCK_INVALID: false,
  CONSENSUS_BLOCK_DECODE: false,
  CONSENSUS_COMMITTEE_INVALID: false,
  CONSENSUS_SAFETY_VIOLATION: false,
  CONSENSUS_INTERNAL: false,
  CONSENSUS_STORE: false,
  CONSENSUS_KEY_INVALID: false,
  CONSENSUS_COMMIT_INVALID: false,
  CONSENSUS_ENGINE: false,
  CONSENSUS_ENGINE_REJECTED: false,
  NETWORK_MESSAGE_TOO_LARGE: false,
  NETWORK_PROTOCOL: false,
  NETWORK_DECODE: false,
  NETWORK_UNREACHABLE: false,
  NETWORK_TIMEOUT: false,
  SYNC_WRONG_CHAIN: false,
  SYNC_BAD_HEADERS: false,
  SYNC_BAD_BODY: false,
  SYNC_TIMEOUT: false,
  RPC_JWT_SECRET: false,
  RPC_SERVER: false,
  RPC_CLIENT: false,
  PAYLOAD_BUILD: false,
  TX_NONCE_TOO_LOW: true,
  TX_NONCE_TOO_HIGH: true,
  TX_INSUFFICIENT_FUNDS: true,
  TX_GAS_LIMIT_EXCEEDS_BLOCK: true,
  TX_FEE_CAP_BELOW_BASE_FEE: true,
  TX_SENDER_NOT_EOA: true,
  TX_BLOB_FEE_CAP_TOO_LOW: true,
  TX_BLOB_GAS_EXCEEDS_BLOCK: true,
  // pool refusals depend on the pool and the head; fixtures, CLI, RPC: not properties of a block
  TXPOOL_OVERSIZED: false,
  TXPOOL_CHAIN_ID: false,
  TXPOOL_UNPROTECTED: false,
  TXPOOL_TYPE_NOT_SUPPORTED: false,
  TXPOOL_INVALID_SENDER: false,
  TXPOOL_GAS_LIMIT: false,
  TXPOOL_INTRINSIC_GAS: false,
  TXPOOL_TIP_ABOVE_FEE_CAP: false,
  TXPOOL_UNDERPRICED: false,
  TXPOOL_NONCE_TOO_LOW: false,
  TXPOOL_ALREADY_KNOWN: false,
  TXPOOL_INSUFFICIENT_FUNDS: false,
  TXPOOL_REPLACE_UNDERPRICED: false,
  TXPOOL_FULL: false,
  TXPOOL_FUTURE_REPLACE_PENDING: false,
  TXPOOL_ACCOUNT_LIMIT: false,
  TXPOOL_CONFIG: false,
  FIXTURE_INVALID: false,
  NO_TEST_CASES: false,
  CHAIN_CONFIG_UNSUPPORTED: false,
  RPC_CALL_FAILED: false,
  RPC_GAS_ALLOWANCE: false,
  RPC_EVM_TIMEOUT: false,
  RPC_BLOCK_NOT_FOUND: false,
  METRICS_SERVER: false,
} as const satisfies Record<ErrorCode, boolean>;

/** Whether `code` names a validation error (see `VALIDATION`); unknown codes (another version's) are not. */
export function isValidationCode(code: string): boolean {
  return Object.hasOwn(VALIDATION, code) && VALIDATION[code as ErrorCode];
}

export type ErrorMeta = Record<string, string | number | boolean | bigint | null | undefined>;

/** Plain-data form of an error, safe for structured clone and msgpack. */
export interface ErrorObject {
  readonly code: string;
  readonly message: string;
  readonly meta?: ErrorMeta;
}

export class FastEvmError<C extends string = ErrorCode> extends Error {
  readonly code: C;
  readonly meta: ErrorMeta | undefined;

  constructor(code: C, message: string, meta?: ErrorMeta, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FastEvmError";
    this.code = code;
    this.meta = meta;
  }

  toObject(): ErrorObject {
    return this.meta === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, meta: this.meta };
  }

  static fromObject(obj: ErrorObject): FastEvmError<string> {
    return new FastEvmError(obj.code, obj.message, obj.meta);
  }
}

export function isFastEvmError(e: unknown, code?: string): e is FastEvmError<string> {
  return e instanceof FastEvmError && (code === undefined || e.code === code);
}

/** A FastEvmError whose code is a validation error: the input is invalid, deterministically (`VALIDATION`). */
export function isValidationError(e: unknown): e is FastEvmError<string> {
  return isFastEvmError(e) && isValidationCode(e.code);
}

/** Shorthand for throwing a typed error from an expression position. */
export function fail(code: ErrorCode, message: string, meta?: ErrorMeta): never {
  throw new FastEvmError(code, message, meta);
}
