/**
 * The rules a block's timestamp and gas limit follow against its parent's, written once: header validation
 * (node/chain/validateHeader.ts), forkchoiceUpdated's payload attributes (node/rpc/engine/forkchoice.ts) and
 * the consensus driver choosing the next block's timestamp (node/consensus/execution/engineDriver.ts) all
 * ask here. Each check returns what is wrong (a sentence) or undefined; callers wrap it in their own error.
 */
import type { ChainConfig, TimestampRule } from "./chainConfig.ts";
import { GAS_LIMIT_BOUND_DIVISOR, MIN_GAS_LIMIT } from "./params.ts";

/**
 * The one default timestamp rule, for a chain config that declares none and a driver not told the chain's:
 * strict, as Ethereum. A block that is strictly later is valid under both rules, so a driver left at the
 * default never builds a block the execution node refuses.
 */
export const DEFAULT_TIMESTAMP_RULE: TimestampRule = "strict";

/** The rule in force: an explicit override, else the chain config's, else DEFAULT_TIMESTAMP_RULE. */
export function timestampRuleOf(config: ChainConfig | undefined, override?: TimestampRule): TimestampRule {
  return override ?? config?.timestampRule ?? DEFAULT_TIMESTAMP_RULE;
}

/** The lowest timestamp a child of a block at `parentTimestamp` may carry under `rule`. */
export function minChildTimestamp(rule: TimestampRule, parentTimestamp: bigint): bigint {
  return rule === "strict" ? parentTimestamp + 1n : parentTimestamp;
}

/** What is wrong with `timestamp` for a child of a block at `parentTimestamp` (undefined: it is valid). */
export function timestampProblem(
  rule: TimestampRule,
  timestamp: bigint,
  parentTimestamp: bigint,
): string | undefined {
  if (timestamp >= minChildTimestamp(rule, parentTimestamp)) return undefined;
  return `timestamp ${timestamp} is ${rule === "strict" ? "not after" : "before"} the parent's ${parentTimestamp}`;
}

/** Gas limits (and so gas used) must fit in a signed 64-bit integer, as every client stores them. */
export const MAX_GAS_LIMIT = (1n << 63n) - 1n;

/**
 * What is wrong with `gasLimit` for a child of a block whose gas limit is `parentLimit` (undefined: valid):
 * at most 2^63 - 1, within parent / 1024 of the parent's (strictly less), at least 5000. `parentLimit` is
 * the parent's as the child sees it (doubled by the caller at the London fork block, EIP-1559).
 */
export function gasLimitProblem(gasLimit: bigint, parentLimit: bigint): string | undefined {
  if (gasLimit > MAX_GAS_LIMIT) return `gas limit ${gasLimit} exceeds 2^63 - 1`;
  const diff = gasLimit > parentLimit ? gasLimit - parentLimit : parentLimit - gasLimit;
  const bound = parentLimit / GAS_LIMIT_BOUND_DIVISOR;
  if (diff >= bound)
    return `gas limit ${gasLimit} differs from the parent's ${parentLimit} by ${diff} (limit ${bound - 1n})`;
  if (gasLimit < MIN_GAS_LIMIT) return `gas limit ${gasLimit} is below ${MIN_GAS_LIMIT}`;
  return undefined;
}
