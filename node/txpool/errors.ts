/**
 * The pool's refusals: one ErrorCode each, the message starting with geth's text (clients match on it:
 * `nonce too low`, `already known`, …) and a detail after a colon where geth gives one.
 */
import { ErrorCode, type ErrorMeta, FastEvmError } from "../core/errors.ts";

/** geth's message for each pool refusal (core/txpool/errors.go, core/error.go). */
export const TXPOOL_MESSAGES = {
  [ErrorCode.TXPOOL_OVERSIZED]: "oversized data",
  [ErrorCode.TXPOOL_CHAIN_ID]: "invalid chain id",
  [ErrorCode.TXPOOL_UNPROTECTED]: "only replay-protected (EIP-155) transactions allowed over RPC",
  [ErrorCode.TXPOOL_TYPE_NOT_SUPPORTED]: "transaction type not supported",
  [ErrorCode.TXPOOL_INVALID_SENDER]: "invalid sender",
  [ErrorCode.TXPOOL_GAS_LIMIT]: "exceeds block gas limit",
  [ErrorCode.TXPOOL_INTRINSIC_GAS]: "intrinsic gas too low",
  [ErrorCode.TXPOOL_TIP_ABOVE_FEE_CAP]: "max priority fee per gas higher than max fee per gas",
  [ErrorCode.TXPOOL_UNDERPRICED]: "transaction underpriced",
  [ErrorCode.TXPOOL_NONCE_TOO_LOW]: "nonce too low",
  [ErrorCode.TXPOOL_ALREADY_KNOWN]: "already known",
  [ErrorCode.TXPOOL_INSUFFICIENT_FUNDS]: "insufficient funds for gas * price + value",
  [ErrorCode.TXPOOL_REPLACE_UNDERPRICED]: "replacement transaction underpriced",
  [ErrorCode.TXPOOL_FULL]: "txpool is full",
  [ErrorCode.TXPOOL_FUTURE_REPLACE_PENDING]: "future transaction tries to replace pending",
  [ErrorCode.TXPOOL_ACCOUNT_LIMIT]: "account limit exceeded",
} as const;

export type TxPoolErrorCode = keyof typeof TXPOOL_MESSAGES;

/**
 * A pool refusal: geth's message, then `: detail` when given. It is an answer to the sender, not a fault of
 * this node, so it carries no stack trace: under load a validator refuses thousands a second ("already
 * known", "txpool is full"), and capturing one costs about 5.8 µs and a kilobyte, against 0.4 µs without.
 */
export function txPoolError(code: TxPoolErrorCode, detail?: string, meta?: ErrorMeta): FastEvmError {
  const base = TXPOOL_MESSAGES[code];
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new FastEvmError(code, detail === undefined ? base : `${base}: ${detail}`, meta);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
