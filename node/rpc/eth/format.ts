/**
 * The one set of JSON formatters of the public API (execution-apis schemas, geth's field set): headers,
 * blocks (hashes or full transactions), transactions of all four types, receipts and logs.
 */
import { type Block, encodeBlock } from "../../core/block/block.ts";
import { type BlockHeader, headerHash } from "../../core/block/header.ts";
import type { Log } from "../../core/block/log.ts";
import type { Receipt } from "../../core/block/receipt.ts";
import type { Withdrawal } from "../../core/block/withdrawal.ts";
import { blobBaseFee } from "../../core/chain/fees.ts";
import { GAS_PER_BLOB } from "../../core/chain/params.ts";
import { keccak256 } from "../../core/hash.ts";
import { bytesToHex as hex, bigintToQuantity as q } from "../../core/hex.ts";
import { encodeRlp } from "../../core/rlp.ts";
import type { Transaction } from "../../core/tx/types.ts";
import type { RecoveredTx } from "../../core/wire/recover.ts";
import type { PoolTx } from "../../txpool/types.ts";

export type Json = Record<string, unknown>;

/** geth's RPCMarshalHeader: every header field, the fork fields when the header has them. */
export function headerJson(hash: Uint8Array, h: BlockHeader): Json {
  return {
    hash: hex(hash),
    parentHash: hex(h.parentHash),
    sha3Uncles: hex(h.ommersHash),
    miner: hex(h.coinbase),
    stateRoot: hex(h.stateRoot),
    transactionsRoot: hex(h.transactionsRoot),
    receiptsRoot: hex(h.receiptsRoot),
    logsBloom: hex(h.logsBloom),
    difficulty: q(h.difficulty),
    number: q(h.number),
    gasLimit: q(h.gasLimit),
    gasUsed: q(h.gasUsed),
    timestamp: q(h.timestamp),
    extraData: hex(h.extraData),
    mixHash: hex(h.mixHash),
    nonce: hex(h.nonce),
    ...(h.baseFeePerGas === undefined ? {} : { baseFeePerGas: q(h.baseFeePerGas) }),
    ...(h.withdrawalsRoot === undefined ? {} : { withdrawalsRoot: hex(h.withdrawalsRoot) }),
    ...(h.blobGasUsed === undefined ? {} : { blobGasUsed: q(h.blobGasUsed) }),
    ...(h.excessBlobGas === undefined ? {} : { excessBlobGas: q(h.excessBlobGas) }),
    ...(h.parentBeaconBlockRoot === undefined ? {} : { parentBeaconBlockRoot: hex(h.parentBeaconBlockRoot) }),
  };
}

export function withdrawalJson(w: Withdrawal): Json {
  return {
    index: q(w.index),
    validatorIndex: q(w.validatorIndex),
    address: hex(w.address),
    amount: q(w.amount),
  };
}

/** Where a transaction sits (absent for a pending one). */
export interface TxPlace {
  readonly blockHash: Uint8Array;
  readonly blockNumber: bigint;
  readonly index: number;
  readonly baseFee: bigint | undefined;
}

/** The price per gas a transaction pays in a block with this base fee. */
export function effectiveGasPrice(tx: Transaction, baseFee: bigint | undefined): bigint {
  if (tx.type === 0 || tx.type === 1) return tx.gasPrice;
  if (baseFee === undefined) return tx.maxFeePerGas;
  const headroom = tx.maxFeePerGas - baseFee;
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers)
  return baseFee + (headroom < tx.maxPriorityFeePerGas ? headroom : tx.maxPriorityFeePerGas);
}

/** The tip per gas a transaction pays the fee recipient over this base fee. */
export function effectiveTip(tx: Transaction, baseFee: bigint | undefined): bigint {
  return effectiveGasPrice(tx, baseFee) - (baseFee ?? 0n);
}

const accessListJson = (tx: Exclude<Transaction, { type: 0 }>) =>
  tx.accessList.map((a) => ({ address: hex(a.address), storageKeys: a.storageKeys.map(hex) }));

/** geth's RPCTransaction: type-dependent fields, `v` beside `yParity` for typed transactions. */
export function txJson(r: RecoveredTx, place: TxPlace | null): Json {
  const tx = r.tx;
  const out: Json = {
    blockHash: place === null ? null : hex(place.blockHash),
    blockNumber: place === null ? null : q(place.blockNumber),
    from: hex(r.sender),
    gas: q(tx.gasLimit),
    // pending: the fee cap; in a block: what it paid
    gasPrice: q(effectiveGasPrice(tx, place?.baseFee)),
  };
  if (tx.type === 2 || tx.type === 3) {
    out.maxFeePerGas = q(tx.maxFeePerGas);
    out.maxPriorityFeePerGas = q(tx.maxPriorityFeePerGas);
  }
  if (tx.type === 3) out.maxFeePerBlobGas = q(tx.maxFeePerBlobGas);
  out.hash = hex(r.hash);
  out.input = hex(tx.data);
  out.nonce = q(tx.nonce);
  out.to = tx.to === null ? null : hex(tx.to);
  out.transactionIndex = place === null ? null : q(place.index);
  out.value = q(tx.value);
  out.type = q(tx.type);
  if (tx.type === 0) {
    if (tx.chainId !== null) out.chainId = q(tx.chainId);
    out.v = q(tx.v);
  } else {
    out.accessList = accessListJson(tx);
    out.chainId = q(tx.chainId);
    if (tx.type === 3) out.blobVersionedHashes = tx.blobVersionedHashes.map(hex);
    out.v = q(tx.yParity);
  }
  out.r = q(tx.r);
  out.s = q(tx.s);
  if (tx.type !== 0) out.yParity = q(tx.yParity);
  return out;
}

/** A transaction of the pool (not in a block) as geth's pending RPCTransaction. */
export const poolTxJson = (t: PoolTx): Json =>
  txJson({ ok: true, tx: t.tx, hash: t.hash, sender: t.sender, intrinsicGas: t.intrinsicGas }, null);

/**
 * A block as JSON: the header, `size` (its RLP length), `totalDifficulty` (FastEVM chains are post-merge
 * from genesis, so every later block has difficulty 0: the genesis difficulty), uncles, withdrawals, and
 * the transactions as hashes or in full.
 */
export function blockJson(
  hash: Uint8Array,
  block: Block,
  txs: readonly RecoveredTx[],
  full: boolean,
  genesisDifficulty: bigint,
): Json {
  const h = block.header;
  const out: Json = {
    ...headerJson(hash, h),
    size: q(encodeBlock(block).length),
    totalDifficulty: q(genesisDifficulty + (h.number === 0n ? 0n : h.difficulty)),
    uncles: block.ommers.map((o) => hex(headerHash(o))),
    transactions: full
      ? txs.map((t, index) =>
          txJson(t, { blockHash: hash, blockNumber: h.number, index, baseFee: h.baseFeePerGas }),
        )
      : txs.map((t) => hex(t.hash)),
  };
  if (block.withdrawals !== undefined) out.withdrawals = block.withdrawals.map(withdrawalJson);
  return out;
}

/** Where a log sits, and whether a reorg took it out of the canonical chain. */
export interface LogPlace {
  readonly blockHash: Uint8Array;
  readonly blockNumber: bigint;
  readonly txHash: Uint8Array;
  readonly txIndex: number;
  readonly logIndex: number;
  readonly removed: boolean;
}

export function logJson(l: Log, p: LogPlace): Json {
  return {
    address: hex(l.address),
    topics: l.topics.map(hex),
    data: hex(l.data),
    blockNumber: q(p.blockNumber),
    transactionHash: hex(p.txHash),
    transactionIndex: q(p.txIndex),
    blockHash: hex(p.blockHash),
    logIndex: q(p.logIndex),
    removed: p.removed,
  };
}

/** keccak(rlp([sender, nonce]))[12:], the address a creation deploys to. */
export function createdAddress(sender: Uint8Array, nonce: bigint): Uint8Array {
  return keccak256(encodeRlp([sender, nonce])).subarray(12);
}

/**
 * All receipts of a block as JSON (geth's MarshalReceipt): gas used from the cumulative figures, the
 * effective gas price, `contractAddress` for creations, blob gas and its price for type 3, logs with their
 * block-wide index.
 */
export function receiptsJson(
  hash: Uint8Array,
  header: BlockHeader,
  txs: readonly RecoveredTx[],
  receipts: readonly Receipt[],
): Json[] {
  const out: Json[] = [];
  let prevCumulative = 0n;
  let logIndex = 0;
  const blobPrice = header.excessBlobGas === undefined ? undefined : blobBaseFee(header.excessBlobGas);
  receipts.forEach((r, i) => {
    const t = txs[i];
    if (t === undefined) return;
    const tx = t.tx;
    const place = { blockHash: hash, blockNumber: header.number, txHash: t.hash, txIndex: i };
    const o: Json = {
      blockHash: hex(hash),
      blockNumber: q(header.number),
      contractAddress: tx.to === null ? hex(createdAddress(t.sender, tx.nonce)) : null,
      cumulativeGasUsed: q(r.cumulativeGasUsed),
      effectiveGasPrice: q(effectiveGasPrice(tx, header.baseFeePerGas)),
      from: hex(t.sender),
      gasUsed: q(r.cumulativeGasUsed - prevCumulative),
      logs: r.logs.map((l) => logJson(l, { ...place, logIndex: logIndex++, removed: false })),
      logsBloom: hex(r.logsBloom),
      status: q(r.status),
      to: tx.to === null ? null : hex(tx.to),
      transactionHash: hex(t.hash),
      transactionIndex: q(i),
      type: q(r.type),
    };
    if (tx.type === 3) {
      o.blobGasUsed = q(BigInt(tx.blobVersionedHashes.length) * GAS_PER_BLOB);
      if (blobPrice !== undefined) o.blobGasPrice = q(blobPrice);
    }
    prevCumulative = r.cumulativeGasUsed;
    out.push(o);
  });
  return out;
}
