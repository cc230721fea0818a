/**
 * The transaction pool's configuration: one object, geth's `--txpool.*` names and defaults (the CLI maps the
 * flags onto it), plus the proposal knobs of the consensus side (Sui's consensus adapter: the validator a
 * transaction arrived at proposes it; the others only after a delay).
 */
import { ErrorCode, FastEvmError } from "../core/errors.ts";

export interface TxPoolConfig {
  /** the chain id every replay-protected transaction must carry */
  readonly chainId: bigint;
  /** `--txpool.pricelimit`: minimum tip (legacy: gas price) in wei of a remote transaction */
  readonly priceLimit: bigint;
  /** `--txpool.pricebump`: percent both fee cap and tip must rise to replace a transaction (same nonce) */
  readonly priceBump: bigint;
  /** `--txpool.accountslots`: executable transactions guaranteed per account when the pool is crowded */
  readonly accountSlots: number;
  /** `--txpool.globalslots`: executable transactions of all accounts (beyond it, large accounts shrink) */
  readonly globalSlots: number;
  /** `--txpool.accountqueue`: non-executable (gapped) transactions per remote account */
  readonly accountQueue: number;
  /** `--txpool.globalqueue`: non-executable transactions of all accounts */
  readonly globalQueue: number;
  /** `--txpool.lifetime`: how long a remote account's queued transactions may idle, in ms */
  readonly lifetimeMs: number;
  /** the largest transaction admitted, in bytes of its EIP-2718 encoding (geth's txMaxSize, 128 KiB) */
  readonly maxTxBytes: number;
  /** `--rpc.allow-unprotected-txs`: admit legacy transactions without EIP-155 replay protection */
  readonly allowUnprotected: boolean;
  /** a remote (gossiped) transaction is proposed by this validator only after this long unseen in the DAG */
  readonly remoteProposalDelayMs: number;
  /** a proposed transaction not included within this becomes proposable again */
  readonly proposalTimeoutMs: number;
}

export const DEFAULT_TXPOOL_CONFIG: TxPoolConfig = {
  chainId: 1n,
  priceLimit: 1n,
  priceBump: 10n,
  accountSlots: 16,
  globalSlots: 5120,
  accountQueue: 64,
  globalQueue: 1024,
  lifetimeMs: 3 * 60 * 60 * 1000,
  maxTxBytes: 128 * 1024,
  allowUnprotected: false,
  remoteProposalDelayMs: 10_000,
  proposalTimeoutMs: 30_000,
};

/** geth's txSlotSize: a transaction takes ceil(size / 32 KiB) slots of the global limit. */
export const TX_SLOT_SIZE = 32 * 1024;

/** The defaults with `over` applied, checked: every count positive, every duration and price non-negative. */
export function txPoolConfig(over: Partial<TxPoolConfig> = {}): TxPoolConfig {
  const c: TxPoolConfig = { ...DEFAULT_TXPOOL_CONFIG, ...over };
  const counts = ["accountSlots", "globalSlots", "accountQueue", "globalQueue", "maxTxBytes"] as const;
  for (const k of counts) {
    if (!Number.isSafeInteger(c[k]) || c[k] < 1) bad(k, "a positive integer");
  }
  for (const k of ["lifetimeMs", "remoteProposalDelayMs", "proposalTimeoutMs"] as const) {
    if (!Number.isFinite(c[k]) || c[k] < 0) bad(k, "a non-negative number of ms");
  }
  for (const k of ["chainId", "priceLimit", "priceBump"] as const) {
    if (typeof c[k] !== "bigint" || c[k] < 0n) bad(k, "a non-negative bigint");
  }
  return c;
}

function bad(key: string, what: string): never {
  throw new FastEvmError(ErrorCode.TXPOOL_CONFIG, `txpool config: ${key} must be ${what}`, { key });
}
