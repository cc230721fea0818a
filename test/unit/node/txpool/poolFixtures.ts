/**
 * Signed transactions, a state map and a pool with scaled-down limits for the txpool tests. Transactions are
 * real: signed with node/core/tx/sign.ts, encoded and hashed as on the wire; the sender is the signing key's
 * address (the recover pool's job, which the pool never repeats). Signatures are cached by their fields.
 */
import { privateKeyToAddress } from "../../../../node/core/crypto/secp256k1.ts";
import { keccak256 } from "../../../../node/core/hash.ts";
import { bytesToHex } from "../../../../node/core/hex.ts";
import { encodeTransaction } from "../../../../node/core/tx/encode.ts";
import { transactionHash } from "../../../../node/core/tx/hash.ts";
import { intrinsicGas } from "../../../../node/core/tx/intrinsicGas.ts";
import { signTransaction, type UnsignedTransaction } from "../../../../node/core/tx/sign.ts";
import type { Transaction } from "../../../../node/core/tx/types.ts";
import {
  type PoolHead,
  type PoolStateReader,
  type PoolTxInput,
  TxPool,
  type TxPoolConfig,
  type TxPoolEvent,
} from "../../../../node/txpool/index.ts";

export const CHAIN_ID = 7n;
export const GWEI = 1_000_000_000n;
export const TO = new Uint8Array(20).fill(0x42);
export const HEAD: PoolHead = { number: 1n, baseFee: 1n * GWEI, gasLimit: 30_000_000n };

/** Deterministic test keys: keccak256 of the index. */
export function key(i: number): Uint8Array {
  return keccak256(new TextEncoder().encode(`txpool test key ${i}`));
}
const ADDRESSES = new Map<number, Uint8Array>();
export function address(i: number): Uint8Array {
  let a = ADDRESSES.get(i);
  if (a === undefined) {
    a = privateKeyToAddress(key(i));
    ADDRESSES.set(i, a);
  }
  return a;
}

export interface TxSpec {
  /** key index */
  readonly from: number;
  readonly nonce: bigint | number;
  /** maxPriorityFeePerGas (legacy: gasPrice), default 1 gwei */
  readonly tip?: bigint;
  /** maxFeePerGas, default 100 gwei (ignored for legacy) */
  readonly fee?: bigint;
  readonly gas?: bigint;
  readonly value?: bigint;
  readonly data?: Uint8Array;
  readonly type?: 0 | 2 | 3;
  /** legacy only: null for an unprotected signature */
  readonly chainId?: bigint | null;
  readonly local?: boolean;
}

const SIGNED = new Map<string, Transaction>();

function unsigned(s: TxSpec): UnsignedTransaction {
  const common = {
    nonce: BigInt(s.nonce),
    gasLimit: s.gas ?? 21_000n,
    to: TO,
    value: s.value ?? 0n,
    data: s.data ?? new Uint8Array(0),
  };
  const tip = s.tip ?? GWEI;
  if (s.type === 0)
    return { type: 0, chainId: s.chainId === undefined ? CHAIN_ID : s.chainId, gasPrice: tip, ...common };
  const fee1559 = {
    chainId: CHAIN_ID,
    maxPriorityFeePerGas: tip,
    maxFeePerGas: s.fee ?? 100n * GWEI,
    accessList: [],
  };
  if (s.type === 3) {
    const hashes = [Uint8Array.of(1, ...new Uint8Array(31).fill(9))];
    return { type: 3, ...fee1559, ...common, maxFeePerBlobGas: GWEI, blobVersionedHashes: hashes };
  }
  return { type: 2, ...fee1559, ...common };
}

/** A signed, encoded, hashed transaction as the recover pool hands it to the pool. */
export function input(s: TxSpec): PoolTxInput {
  const u = unsigned(s);
  const cacheKey = `${s.from}|${JSON.stringify(u, (_, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? bytesToHex(v) : v))}`;
  let tx = SIGNED.get(cacheKey);
  if (tx === undefined) {
    tx = signTransaction(u, key(s.from));
    SIGNED.set(cacheKey, tx);
  }
  return {
    raw: encodeTransaction(tx),
    tx,
    hash: transactionHash(tx),
    sender: address(s.from),
    intrinsicGas: intrinsicGas(tx),
    local: s.local ?? false,
  };
}

/** Account states by address; absent accounts read as 0/0. */
export class MapState implements PoolStateReader {
  readonly accounts = new Map<string, { nonce: bigint; balance: bigint }>();

  account(a: Uint8Array): { nonce: bigint; balance: bigint } {
    return this.accounts.get(bytesToHex(a)) ?? { nonce: 0n, balance: 0n };
  }

  set(i: number, nonce: bigint, balance: bigint = 10n ** 24n): this {
    this.accounts.set(bytesToHex(address(i)), { nonce, balance });
    return this;
  }

  /** funds `n` senders (key indexes 0..n-1) at nonce 0 */
  static funded(n: number, balance: bigint = 10n ** 24n): MapState {
    const s = new MapState();
    for (let i = 0; i < n; i++) s.set(i, 0n, balance);
    return s;
  }
}

/** Scaled-down limits: 4 slots per account, 8 pending, 4 queued per account, 8 queued. */
export const SMALL: Partial<TxPoolConfig> = {
  chainId: CHAIN_ID,
  accountSlots: 4,
  globalSlots: 8,
  accountQueue: 4,
  globalQueue: 8,
  lifetimeMs: 60_000,
  remoteProposalDelayMs: 1_000,
  proposalTimeoutMs: 5_000,
};

/** A pool and the events it reported. */
export function makePool(
  config: Partial<TxPoolConfig> = {},
  head: PoolHead = HEAD,
): {
  pool: TxPool;
  events: TxPoolEvent[];
} {
  const events: TxPoolEvent[] = [];
  const pool = new TxPool({ config: { ...SMALL, ...config }, head, onEvent: (e) => events.push(e) });
  return { pool, events };
}

export const hex = bytesToHex;
