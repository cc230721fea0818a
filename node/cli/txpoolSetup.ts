/**
 * The execution node's txpool as `fastevm node` runs it: geth's `--txpool.*` flags onto the pool's one
 * config object, the shared sender cache in front of the recover pool, the journal in the datadir
 * (`DATADIR/txpool/transactions.rlp`), and the service that follows the chain.
 */
import { join } from "node:path";
import type { ChainWorkers } from "../chain/chain.ts";
import { ErrorCode, FastEvmError } from "../core/errors.ts";
import type { SenderCache } from "../core/tx/senderCache.ts";
import type { TxPoolMetrics } from "../metrics/metrics.ts";
import type { TxPoolConfig } from "../txpool/config.ts";
import { TxJournal } from "../txpool/service/journal.ts";
import { type ChainView, TxPoolService } from "../txpool/service/txPoolService.ts";
import { TxPool } from "../txpool/txPool.ts";

/** The flags, as `node:util` parseArgs options, with what each sets. */
export const TXPOOL_FLAGS = {
  "txpool.pricelimit": "minimum tip (wei) of a remote transaction (default 1)",
  "txpool.pricebump": "percent a replacement must raise both fee cap and tip (default 10)",
  "txpool.accountslots": "executable transactions guaranteed per account (default 16)",
  "txpool.globalslots": "executable transactions in all (default 5120)",
  "txpool.accountqueue": "gapped transactions per account (default 64)",
  "txpool.globalqueue": "gapped transactions in all (default 1024)",
  "txpool.lifetime": "how long gapped transactions may idle, e.g. 3h, 90m, 30s (default 3h)",
  "txpool.nojournal": "do not journal local transactions",
  "rpc.allow-unprotected-txs": "admit legacy transactions without EIP-155 replay protection",
} as const;

export type TxPoolFlag = keyof typeof TXPOOL_FLAGS;
export const TXPOOL_BOOLEAN_FLAGS: readonly TxPoolFlag[] = ["txpool.nojournal", "rpc.allow-unprotected-txs"];

function usage(msg: string): FastEvmError {
  return new FastEvmError(ErrorCode.CLI_USAGE, msg);
}

/** A Go-style duration (`3h`, `1h30m`, `90s`, `500ms`) in milliseconds. */
export function parseDuration(flag: string, s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as "h" | "m" | "s" | "ms"];
  }
  if (s.length === 0 || consumed !== s.length)
    throw usage(`--${flag}: bad duration ${s} (e.g. 3h, 90m, 30s)`);
  return Math.round(total);
}

/** The pool config the flags ask for (unset flags keep geth's defaults). */
export function txPoolConfigFromFlags(
  values: Readonly<Record<string, string | boolean | undefined>>,
): Partial<TxPoolConfig> {
  const str = (k: TxPoolFlag) => {
    const v = values[k];
    return typeof v === "string" ? v : undefined;
  };
  const int = (k: TxPoolFlag): number | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw usage(`--${k}: expected a positive integer, got ${v}`);
    return n;
  };
  const wei = (k: TxPoolFlag): bigint | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw usage(`--${k}: expected a non-negative integer, got ${v}`);
    return BigInt(v);
  };
  const out: { -readonly [K in keyof TxPoolConfig]?: TxPoolConfig[K] } = {};
  const priceLimit = wei("txpool.pricelimit");
  if (priceLimit !== undefined) out.priceLimit = priceLimit;
  const priceBump = wei("txpool.pricebump");
  if (priceBump !== undefined) out.priceBump = priceBump;
  const accountSlots = int("txpool.accountslots");
  if (accountSlots !== undefined) out.accountSlots = accountSlots;
  const globalSlots = int("txpool.globalslots");
  if (globalSlots !== undefined) out.globalSlots = globalSlots;
  const accountQueue = int("txpool.accountqueue");
  if (accountQueue !== undefined) out.accountQueue = accountQueue;
  const globalQueue = int("txpool.globalqueue");
  if (globalQueue !== undefined) out.globalQueue = globalQueue;
  const lifetime = str("txpool.lifetime");
  if (lifetime !== undefined) out.lifetimeMs = parseDuration("txpool.lifetime", lifetime);
  if (values["rpc.allow-unprotected-txs"] === true) out.allowUnprotected = true;
  return out;
}

export interface NodeTxPool {
  readonly service: TxPoolService;
  readonly senders: SenderCache;
  /** journaled transactions admitted again at start */
  readonly restored: number;
  close(): Promise<void>;
}

/**
 * The sender cache in front of `workers.recover`: what the pool recovered, the builder, block import and
 * the RPC's block transactions (`ChainTxs`, which recovers stored transactions with no chain-id rule) find
 * here. Only a recovery under this chain's id fills it: an entry has passed the chain-id rule, so a hit
 * answers either kind (equal bytes, same sender), but what was recovered without the rule must not reach
 * the pool's admission as if it had passed it.
 */
export function cachedWorkers(workers: ChainWorkers, chainId: bigint, senders: SenderCache): ChainWorkers {
  return {
    recover: (txs, id) => {
      if (id !== chainId && id !== null) return workers.recover(txs, id);
      return senders.recover(txs, (miss) => workers.recover(miss, id), id === chainId);
    },
    execute: (task) => workers.execute(task),
  };
}

export async function startNodeTxPool(o: {
  readonly chain: ChainView & { readonly config: { readonly chainId: bigint } };
  readonly workers: ChainWorkers;
  readonly senders: SenderCache;
  readonly datadir: string;
  readonly config: Partial<TxPoolConfig>;
  readonly journal: boolean;
  readonly log: (m: string) => void;
  readonly metrics?: TxPoolMetrics;
  /** ms clock (tests); default Date.now */
  readonly clock?: () => number;
}): Promise<NodeTxPool> {
  const chainId = o.chain.config.chainId;
  let svc: TxPoolService | undefined;
  const pool = new TxPool({
    config: { ...o.config, chainId },
    head: TxPoolService.poolHead(o.chain.head().header),
    onEvent: (e) => svc?.handleEvent(e),
  });
  const service = new TxPoolService({
    pool,
    chain: o.chain,
    chainId,
    recover: (txs, id) => o.workers.recover(txs, id),
    senders: o.senders,
    ...(o.journal ? { journal: new TxJournal(join(o.datadir, "txpool", "transactions.rlp")) } : {}),
    log: o.log,
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    ...(o.metrics === undefined ? {} : { metrics: o.metrics }),
  });
  svc = service;
  const restored = await service.start();
  return { service, senders: o.senders, restored, close: () => service.stop() };
}
