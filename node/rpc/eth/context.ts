/**
 * What the public JSON-RPC methods read: the chain (store, config, head-change hook), the recover pool (a
 * block's transactions are decoded and their senders recovered off the main thread, cached per block), and
 * the seams other parts fill in later — the txpool (`pool`), the peer count. One context serves every
 * transport (HTTP, WebSocket, and the Engine API port's eth_ subset).
 */
import type { Chain, ChainWorkers } from "../../chain/chain.ts";
import type { PoolTx } from "../../txpool/types.ts";
import { ChainTxs, type RecoveredLookup } from "./txs.ts";

/** geth: --rpc.logquerylimit-like bounds; reth --rpc.max-logs-per-response 20000; geth's gas price oracle. */
export interface RpcLimits {
  /** blocks one eth_getLogs may span (geth --rpc.rangelimit; 0 = no limit) */
  readonly logRange: number;
  /** logs one eth_getLogs may answer */
  readonly maxLogs: number;
  /** most blocks of one eth_feeHistory (geth 1024) */
  readonly feeHistoryBlocks: number;
  /** live filters (eth_newFilter & co.); above it eth_new*Filter answers an error */
  readonly maxFilters: number;
  /** events one filter buffers between polls; older ones are dropped */
  readonly filterBuffer: number;
  /** idle filter lifetime, ms (geth 5 min) */
  readonly filterTimeoutMs: number;
  /** subscriptions one WebSocket connection may hold */
  readonly maxSubscriptionsPerConnection: number;
}

export const DEFAULT_LIMITS: RpcLimits = {
  logRange: 10_000,
  maxLogs: 20_000,
  feeHistoryBlocks: 1024,
  maxFilters: 4096,
  filterBuffer: 10_000,
  filterTimeoutMs: 5 * 60_000,
  maxSubscriptionsPerConnection: 1024,
};

/** A pending transaction as the pool announces it. */
export interface PendingTx {
  readonly hash: Uint8Array;
  /** EIP-2718 encoding */
  readonly raw: Uint8Array;
}

/**
 * The txpool seam (the pool is built elsewhere): the feed of newly pending transactions, for
 * newPendingTransactions subscriptions and eth_newPendingTransactionFilter (until a pool is wired, those
 * methods answer -32601), and the lookup of a pool transaction by hash.
 */
export interface TxPoolSeam {
  /** calls `cb` for each transaction that becomes pending; returns the unsubscribe function */
  onPending(cb: (tx: PendingTx) => void): () => void;
  /** the pool's transactions (pending or queued) by hash: eth_getTransactionByHash of one not yet mined */
  readonly pool?: { get(hash: Uint8Array): PoolTx | undefined };
}

export interface RpcContextOptions {
  readonly pool?: TxPoolSeam;
  /** connected peers (net_peerCount); 0 when absent */
  readonly peerCount?: () => number;
  /** block sync progress (eth_syncing): undefined when not syncing; absent: never syncing */
  readonly syncing?: () => SyncProgress | undefined;
  readonly limits?: Partial<RpcLimits>;
  readonly clientVersion?: string;
  /** the node's recovered transactions (its SenderCache): new canonical blocks are copied from it */
  readonly recovered?: RecoveredLookup;
}

/** eth_syncing's object (geth): where this sync began, where it is, the best head a peer told of. */
export interface SyncProgress {
  readonly startingBlock: bigint;
  readonly currentBlock: bigint;
  readonly highestBlock: bigint;
}

export interface RpcContext {
  readonly chain: Chain;
  readonly txs: ChainTxs;
  readonly pool?: TxPoolSeam;
  readonly peerCount: () => number;
  readonly syncing: () => SyncProgress | undefined;
  readonly limits: RpcLimits;
  readonly clientVersion: string;
}

export const CLIENT_VERSION = `FastEVM/v0.1.0/${process.platform}-${process.arch}/node${process.versions.node}`;

export function createRpcContext(
  chain: Chain,
  recover: ChainWorkers["recover"],
  opts: RpcContextOptions = {},
): RpcContext {
  const txs = new ChainTxs(chain.store, recover);
  if (opts.recovered !== undefined) txs.follow(chain, opts.recovered);
  return {
    chain,
    txs,
    ...(opts.pool === undefined ? {} : { pool: opts.pool }),
    peerCount: opts.peerCount ?? (() => 0),
    syncing: opts.syncing ?? (() => undefined),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    clientVersion: opts.clientVersion ?? CLIENT_VERSION,
  };
}
