/**
 * Sender recovery: the signature-value rules every transaction type must meet, then ecrecover over the
 * signing hash. The recovered 20-byte address is memoized per transaction.
 */
import {
  DEFAULT_BACKEND,
  type RecoveryBackend,
  type RecoveryInput,
  recoverAddresses,
  recoveryFailed,
  SECP256K1_HALF_N,
  SECP256K1_N,
} from "../crypto/secp256k1.ts";
import { ErrorCode, FastEvmError, isFastEvmError } from "../errors.ts";
import { memoOf } from "./cache.ts";
import { chainIdFromV } from "./decode.ts";
import { signingHash } from "./hash.ts";
import { recoveryId, type Transaction } from "./types.ts";

/**
 * r and s in [1, n-1] (ecrecover's domain), s <= n/2 (EIP-2 low-s, for every type since Homestead), and
 * a v / yParity that is well-formed and consistent with the transaction's chain id.
 */
export function checkSignatureValues(tx: Transaction): void {
  if (tx.r < 1n || tx.r >= SECP256K1_N) {
    throw new FastEvmError(ErrorCode.TX_INVALID_SIGNATURE, "invalid signature: r must be in [1, n-1]");
  }
  if (tx.s < 1n || tx.s >= SECP256K1_N) {
    throw new FastEvmError(ErrorCode.TX_INVALID_SIGNATURE, "invalid signature: s must be in [1, n-1]");
  }
  if (tx.s > SECP256K1_HALF_N) {
    throw new FastEvmError(ErrorCode.TX_SIGNATURE_HIGH_S, "invalid signature: s is above n/2 (EIP-2)");
  }
  if (tx.type === 0) {
    if (chainIdFromV(tx.v) !== tx.chainId) {
      throw new FastEvmError(
        ErrorCode.TX_INVALID_V,
        `legacy v ${tx.v} does not match chain id ${tx.chainId}`,
      );
    }
  } else if (tx.yParity !== 0 && tx.yParity !== 1) {
    throw new FastEvmError(ErrorCode.TX_INVALID_V, `yParity must be 0 or 1, got ${String(tx.yParity)}`);
  }
}

export interface RecoverOptions {
  /** which secp256k1 implementation to use (default: native when it loads) */
  readonly backend?: RecoveryBackend;
  /** when given, a replay-protected transaction must carry this chain id */
  readonly chainId?: bigint;
}

/** Recovers (and memoizes) the 20-byte sender address; throws a TX_* FastEvmError when invalid. */
export function recoverSender(tx: Transaction, opts: RecoverOptions = {}): Uint8Array {
  const sender = recoverSenders([tx], opts)[0]!;
  if (sender instanceof FastEvmError) throw sender;
  return sender;
}

/**
 * `recoverSender` for many transactions, with one native call for all of their signatures (the system
 * backend): each result is the sender, or the TX_* FastEvmError that `recoverSender` would throw for it.
 */
export function recoverSenders(
  txs: readonly Transaction[],
  opts: RecoverOptions = {},
): (Uint8Array | FastEvmError<string>)[] {
  const backend = opts.backend ?? DEFAULT_BACKEND;
  const out = new Array<Uint8Array | FastEvmError<string>>(txs.length);
  const inputs: RecoveryInput[] = [];
  const at: number[] = [];
  txs.forEach((tx, i) => {
    try {
      if (opts.chainId !== undefined && tx.chainId !== null && tx.chainId !== opts.chainId) {
        throw new FastEvmError(
          ErrorCode.TX_CHAIN_ID,
          `transaction chain id ${tx.chainId} is not ${opts.chainId}`,
        );
      }
      const memo = memoOf(tx);
      if (memo.sender !== undefined && opts.backend === undefined) {
        out[i] = memo.sender;
        return;
      }
      checkSignatureValues(tx);
      inputs.push({ msgHash: signingHash(tx), r: tx.r, s: tx.s, recid: recoveryId(tx) });
      at.push(i);
    } catch (e) {
      if (!isFastEvmError(e)) throw e;
      out[i] = e;
    }
  });
  recoverAddresses(inputs, backend).forEach((sender, j) => {
    const i = at[j]!;
    if (sender === undefined) {
      out[i] = recoveryFailed(backend);
      return;
    }
    memoOf(txs[i]!).sender = sender;
    out[i] = sender;
  });
  return out;
}
