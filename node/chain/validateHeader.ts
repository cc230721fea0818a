/**
 * Header rules checked against the parent before a block is executed (post-merge chains, Paris to Cancun):
 * linkage, gas limit bounds, EIP-1559 base fee, timestamp, extraData, the merge constants, the fork fields
 * of Shanghai and Cancun (EIP-4844 blob gas), and on a FastEVM chain with a fixed fee recipient
 * (`config.fastevm.feeRecipient`) the coinbase. Each rule throws its own BLOCK_* code. What needs execution
 * (gas used, state/receipts roots, bloom, blob gas used vs. transactions) is checked after execution.
 */
import { type BlockHeader, EMPTY_OMMERS_HASH } from "../core/block/header.ts";
import { equalBytes } from "../core/bytes.ts";
import { gasLimitProblem, timestampProblem, timestampRuleOf } from "../core/chain/blockRules.ts";
import {
  type ChainConfig,
  isCancun,
  isLondon,
  isShanghai,
  type TimestampRule,
} from "../core/chain/chainConfig.ts";
import { calcBaseFee, calcExcessBlobGas } from "../core/chain/fees.ts";
import {
  ELASTICITY_MULTIPLIER,
  GAS_PER_BLOB,
  MAX_BLOB_GAS_PER_BLOCK,
  MAX_EXTRA_DATA_BYTES,
} from "../core/chain/params.ts";
import { type ErrorCode, FastEvmError } from "../core/errors.ts";
import { bytesToHex, hexToBytes } from "../core/hex.ts";

export type { TimestampRule };

export interface HeaderRules {
  readonly config: ChainConfig;
  /** overrides `config.timestampRule` (default DEFAULT_TIMESTAMP_RULE, strict) */
  readonly timestampRule?: TimestampRule;
}

function reject(code: ErrorCode, message: string): never {
  throw new FastEvmError(code, `invalid block: ${message}`);
}

/** EIP-1559 gas limit rule (blockRules.ts), against the parent's limit doubled at the London fork block. */
function checkGasLimit(header: BlockHeader, parent: BlockHeader, config: ChainConfig): void {
  let parentLimit = parent.gasLimit;
  if (isLondon(config, header.number) && !isLondon(config, parent.number))
    parentLimit *= ELASTICITY_MULTIPLIER;
  const problem = gasLimitProblem(header.gasLimit, parentLimit);
  if (problem !== undefined) reject("BLOCK_GAS_LIMIT", problem);
}

function checkForkFields(header: BlockHeader, config: ChainConfig): void {
  const london = isLondon(config, header.number);
  const shanghai = isShanghai(config, header.timestamp);
  const cancun = isCancun(config, header.timestamp);
  const has = (v: unknown): boolean => v !== undefined;
  if (has(header.baseFeePerGas) !== london)
    reject("BLOCK_FORK_FIELDS", `baseFeePerGas ${london ? "missing" : "before London"}`);
  if (has(header.withdrawalsRoot) !== shanghai) {
    reject("BLOCK_FORK_FIELDS", `withdrawalsRoot ${shanghai ? "missing" : "before Shanghai"}`);
  }
  for (const [name, v] of [
    ["blobGasUsed", header.blobGasUsed],
    ["excessBlobGas", header.excessBlobGas],
    ["parentBeaconBlockRoot", header.parentBeaconBlockRoot],
  ] as const) {
    if (has(v) !== cancun) reject("BLOCK_FORK_FIELDS", `${name} ${cancun ? "missing" : "before Cancun"}`);
  }
}

function checkBlobGas(header: BlockHeader, parent: BlockHeader, config: ChainConfig): void {
  const used = header.blobGasUsed!;
  if (used > MAX_BLOB_GAS_PER_BLOCK)
    reject("BLOCK_BLOB_GAS_USED", `blob gas used ${used} exceeds ${MAX_BLOB_GAS_PER_BLOCK}`);
  if (used % GAS_PER_BLOB !== 0n)
    reject("BLOCK_BLOB_GAS_USED", `blob gas used ${used} is not a multiple of ${GAS_PER_BLOB}`);
  const parentIsCancun = isCancun(config, parent.timestamp);
  const expected = parentIsCancun ? calcExcessBlobGas(parent) : 0n;
  if (header.excessBlobGas !== expected) {
    reject("BLOCK_EXCESS_BLOB_GAS", `excess blob gas ${header.excessBlobGas} is not ${expected}`);
  }
}

/** Throws the first rule `header` breaks as a child of `parent`; returns normally when it is well-formed. */
export function validateHeader(
  header: BlockHeader,
  parent: BlockHeader,
  parentHash: Uint8Array,
  rules: HeaderRules,
): void {
  const { config } = rules;
  if (!equalBytes(header.parentHash, parentHash)) {
    reject(
      "BLOCK_PARENT_HASH",
      `parent hash ${bytesToHex(header.parentHash)} is not ${bytesToHex(parentHash)}`,
    );
  }
  if (header.number !== parent.number + 1n)
    reject("BLOCK_NUMBER", `number ${header.number} does not follow ${parent.number}`);
  checkForkFields(header, config);
  if (header.extraData.length > MAX_EXTRA_DATA_BYTES) {
    reject(
      "BLOCK_EXTRA_DATA",
      `extraData of ${header.extraData.length} bytes exceeds ${MAX_EXTRA_DATA_BYTES}`,
    );
  }
  const tsProblem = timestampProblem(
    timestampRuleOf(config, rules.timestampRule),
    header.timestamp,
    parent.timestamp,
  );
  if (tsProblem !== undefined) reject("BLOCK_TIMESTAMP", tsProblem);
  checkGasLimit(header, parent, config);
  if (header.gasUsed > header.gasLimit)
    reject("BLOCK_GAS_USED", `gas used ${header.gasUsed} exceeds the gas limit ${header.gasLimit}`);
  if (header.baseFeePerGas !== undefined) {
    const expected = calcBaseFee(
      isLondon(config, parent.number) ? parent : { gasLimit: parent.gasLimit, gasUsed: parent.gasUsed },
    );
    if (header.baseFeePerGas !== expected)
      reject("BLOCK_BASE_FEE", `base fee ${header.baseFeePerGas} is not ${expected}`);
  }
  if (header.difficulty !== 0n)
    reject("BLOCK_DIFFICULTY", `difficulty ${header.difficulty} is not 0 after the merge`);
  if (header.nonce.length !== 8 || header.nonce.some((b) => b !== 0))
    reject("BLOCK_NONCE", "nonce is not zero after the merge");
  if (!equalBytes(header.ommersHash, EMPTY_OMMERS_HASH))
    reject("BLOCK_OMMERS", "ommers hash is not that of an empty list");
  if (header.excessBlobGas !== undefined) checkBlobGas(header, parent, config);
  // `leader` needs the committee, which the execution layer does not know: only a fixed address is checked
  const fee = config.feeRecipient;
  if (fee !== undefined && fee !== "leader" && !equalBytes(header.coinbase, hexToBytes(fee, 20)))
    reject(
      "BLOCK_COINBASE",
      `coinbase ${bytesToHex(header.coinbase)} is not the chain's fee recipient ${fee}`,
    );
}
