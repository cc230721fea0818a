/**
 * Every Cancun BlockchainTests case (ValidBlocks and InvalidBlocks) through the real chain: recover and
 * execute pools, LMDB (no fsync), one commit per block. Valid blocks must import, invalid ones must be
 * rejected with the head unchanged and a code that names the fixture's exception, and the head and post
 * state must match. Known failures (file:case →
 * reason) may only shrink; a case that starts passing must be removed from the list.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type BlockTestJson, runBlockTest } from "../../node/chain/blockTest.ts";
import { startChainPools } from "../../node/cli/chainWorkers.ts";
import { loadBlockchainTests } from "../utils/blockFixtures.ts";

/** file:case → why it fails today. Empty: every case passes. */
const KNOWN_FAILURES: Record<string, string> = {};

const MIN_CASES = 519;

/** The codes each expected exception may be rejected with (the first `|` alternative decides). */
const BLOCK_EXCEPTION_CODES: Record<string, readonly string[]> = {
  EXTRA_DATA_TOO_BIG: ["BLOCK_EXTRA_DATA"],
  GASLIMIT_TOO_BIG: ["BLOCK_GAS_LIMIT"],
  INVALID_GASLIMIT: ["BLOCK_GAS_LIMIT"],
  GAS_USED_OVERFLOW: ["BLOCK_GAS_USED"],
  IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS: ["BLOCK_DIFFICULTY"],
  IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS: ["BLOCK_OMMERS"],
  INVALID_BASEFEE_PER_GAS: ["BLOCK_BASE_FEE"],
  INVALID_BLOCK_NUMBER: ["BLOCK_NUMBER"],
  INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT: ["BLOCK_TIMESTAMP"],
  INVALID_GAS_USED: ["BLOCK_GAS_USED_MISMATCH"],
  INVALID_LOG_BLOOM: ["BLOCK_LOGS_BLOOM"],
  INVALID_STATE_ROOT: ["BLOCK_STATE_ROOT"],
  INVALID_TRANSACTIONS_ROOT: ["BLOCK_TRANSACTIONS_ROOT"],
  INVALID_WITHDRAWALS_ROOT: ["BLOCK_WITHDRAWALS_ROOT"],
  RLP_STRUCTURES_ENCODING: ["BLOCK_DECODE", "HEADER_DECODE"],
  UNKNOWN_PARENT: ["BLOCK_UNKNOWN_PARENT"],
  UNKNOWN_PARENT_ZERO: ["BLOCK_UNKNOWN_PARENT"],
};

/**
 * The TX_* code (`meta.cause` of BLOCK_INVALID_TX) each TransactionException names. An exception missing
 * here fails the run, so a new fixture name gets mapped rather than passing on BLOCK_INVALID_TX alone.
 */
const TX_EXCEPTION_CAUSES: Record<string, readonly string[]> = {
  INTRINSIC_GAS_TOO_LOW: ["TX_INTRINSIC_GAS"],
  INSUFFICIENT_ACCOUNT_FUNDS: ["TX_INSUFFICIENT_FUNDS"],
  INSUFFICIENT_MAX_FEE_PER_GAS: ["TX_FEE_CAP_BELOW_BASE_FEE"],
  PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS: ["TX_TIP_ABOVE_FEE_CAP"],
  GAS_ALLOWANCE_EXCEEDED: ["TX_GAS_LIMIT_EXCEEDS_BLOCK"],
  SENDER_NOT_EOA: ["TX_SENDER_NOT_EOA"],
  NONCE_MISMATCH_TOO_LOW: ["TX_NONCE_TOO_LOW"],
  NONCE_MISMATCH_TOO_HIGH: ["TX_NONCE_TOO_HIGH"],
};

/**
 * Cases whose transaction breaks a stateless rule and a stateful one: the recover worker's stateless checks
 * (core/tx/validate.ts) run before any state is read, where geth's preCheck tests the fees first, so we name
 * the stateless rule. Case → the code we reject with.
 */
const STATELESS_FIRST: Record<string, string> = {
  "InvalidBlocks/bcStateTests/EmptyTransaction.json:EmptyTransaction_Cancun": "TX_INTRINSIC_GAS",
  "InvalidBlocks/bcStateTests/UserTransactionGasLimitIsTooLowWhenZeroCost.json:UserTransactionGasLimitIsTooLowWhenZeroCost_Cancun":
    "TX_INTRINSIC_GAS",
  "InvalidBlocks/bcStateTests/txCost-sec73.json:txCost-sec73_Cancun": "TX_INTRINSIC_GAS",
};

/** Whether an invalid transaction's own code matches one of the fixture's `|` alternatives. */
function causeMatches(name: string, expected: string, cause: string | undefined): boolean {
  if (STATELESS_FIRST[name] !== undefined) return cause === STATELESS_FIRST[name];
  return expected.split("|").some((alt) => {
    const [kind, name] = alt.split(".") as [string, string];
    return (
      kind === "TransactionException" && cause !== undefined && TX_EXCEPTION_CAUSES[name]?.includes(cause)
    );
  });
}

/**
 * Codes a rejection may carry. An invalid transaction is BLOCK_INVALID_TX, or BLOCK_TRANSACTIONS_ROOT when the
 * fixture's header commits to other transactions (the body is checked before execution, as geth does).
 */
function allowedCodes(expected: string): readonly string[] {
  const first = expected.split("|")[0]!;
  const [kind, name] = first.split(".") as [string, string];
  if (kind === "TransactionException") return ["BLOCK_INVALID_TX", "BLOCK_TRANSACTIONS_ROOT"];
  return BLOCK_EXCEPTION_CODES[name] ?? [];
}

describe("BlockchainTests (Cancun) through block execution and the chain store", () => {
  const pools = startChainPools();
  afterAll(() => pools.close());

  it("passes every case", { timeout: 300_000 }, async () => {
    const tests = loadBlockchainTests().filter((t) => t.test.network === "Cancun");
    const failures: string[] = [];
    const fixed: string[] = [];
    let ran = 0;
    let rejected = 0;
    let txCauses = 0;
    for (const { name, test } of tests) {
      const r = await runBlockTest(name, test as unknown as BlockTestJson, pools);
      ran++;
      const known = KNOWN_FAILURES[name];
      if (!r.pass && known === undefined) failures.push(`${name}: ${r.error}`);
      if (r.pass && known !== undefined) fixed.push(name);
      for (const x of r.rejections) {
        rejected++;
        if (!allowedCodes(x.expected).includes(x.code))
          failures.push(`${name} block ${x.block}: expected ${x.expected}, rejected with ${x.code}`);
        else if (x.code === "BLOCK_INVALID_TX" && !causeMatches(name, x.expected, x.cause))
          failures.push(
            `${name} block ${x.block}: expected ${x.expected}, transaction rejected with ${x.cause}`,
          );
        else if (x.code === "BLOCK_INVALID_TX") txCauses++;
      }
    }
    expect(failures).toEqual([]);
    expect(fixed).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(MIN_CASES);
    expect(rejected).toBeGreaterThanOrEqual(209);
    expect(txCauses).toBeGreaterThan(0);
    expect(tests.filter((t) => t.name.startsWith("ValidBlocks/")).length).toBeGreaterThan(0);
    expect(tests.filter((t) => t.name.startsWith("InvalidBlocks/")).length).toBeGreaterThan(0);
  });
});
