/**
 * ethereum/tests TransactionTests: each case is one `txbytes` with an expectation per fork. We take the
 * latest fork present (Prague, else Cancun, else the newest listed): valid → our hash, sender and intrinsic
 * gas match; `exception` → decoding, static validation or sender recovery rejects with a FastEvmError.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isFastEvmError } from "../../node/core/errors.ts";
import { bytesToHex, looseHexToBytes } from "../../node/core/hex.ts";
import { decodeTransaction } from "../../node/core/tx/decode.ts";
import { transactionHash } from "../../node/core/tx/hash.ts";
import { recoverSender } from "../../node/core/tx/sender.ts";
import { validateTransaction } from "../../node/core/tx/validate.ts";
import { fixturePath } from "../utils/fixtures.ts";

const ROOT = fixturePath("TransactionTests");
/** Cases observed when this runner was written; fewer means fixtures went missing. */
const MIN_CASES = 210;
/** Of which valid (hash/sender/intrinsic gas compared) when this runner was written. */
const MIN_VALID = 50;
const FORK_ORDER = [
  "Frontier",
  "Homestead",
  "EIP150",
  "EIP158",
  "Byzantium",
  "Constantinople",
  "ConstantinopleFix",
  "Istanbul",
  "Berlin",
  "London",
  "Paris",
  "Shanghai",
  "Cancun",
  "Prague",
];
/** The fixtures are filled for mainnet. */
const CHAIN_ID = 1n;

/** Codes a decoding failure may carry (fixtures name the RLP problem more finely than we need to). */
const DECODE_CODES = [
  "RLP_TRUNCATED",
  "RLP_NON_CANONICAL",
  "RLP_TRAILING_BYTES",
  "RLP_TOO_LARGE",
  "RLP_UNEXPECTED_TYPE",
  "RLP_LEADING_ZERO",
  "TX_DECODE",
  "TX_FIELD_COUNT",
  "TX_INVALID_ADDRESS",
  "TX_TYPED_WRAPPED",
  "TX_UNSUPPORTED_TYPE",
];

/** Our error codes accepted for each fixture exception: a rejection must be for the right reason. */
const EXPECTED_CODES: Record<string, readonly string[]> = {
  ADDRESS_TOO_LONG: ["TX_INVALID_ADDRESS"],
  ADDRESS_TOO_SHORT: ["TX_INVALID_ADDRESS"],
  RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_LONG: ["TX_INVALID_ADDRESS"],
  RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_SHORT: ["TX_INVALID_ADDRESS"],
  EC_RECOVERY_FAIL: ["TX_SENDER_RECOVERY"],
  GASLIMIT_OVERFLOW: ["TX_GAS_LIMIT_OVERFLOW", "RLP_LEADING_ZERO"],
  GASLIMIT_PRICE_PRODUCT_OVERFLOW: ["TX_GAS_COST_OVERFLOW"],
  GASPRICE_OVERFLOW: ["RLP_TOO_LARGE"],
  PRIORITY_OVERFLOW: ["RLP_TOO_LARGE"],
  VALUE_OVERFLOW: ["RLP_TOO_LARGE"],
  INITCODE_SIZE_EXCEEDED: ["TX_INITCODE_TOO_LARGE"],
  INTRINSIC_GAS_TOO_LOW: ["TX_INTRINSIC_GAS"],
  INVALID_CHAINID: ["TX_CHAIN_ID", "TX_INVALID_V"],
  INVALID_SIGNATURE_VRS: ["TX_INVALID_SIGNATURE", "TX_SIGNATURE_HIGH_S", "TX_INVALID_V", "RLP_TOO_LARGE"],
  NONCE_OVERFLOW: ["TX_NONCE_OVERFLOW"],
  NONCE_TOO_BIG: ["TX_NONCE_OVERFLOW"],
  PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2: ["TX_TIP_ABOVE_FEE_CAP"],
  RLP_TOO_FEW_ELEMENTS: ["TX_FIELD_COUNT"],
  RLP_TOO_MANY_ELEMENTS: ["TX_FIELD_COUNT"],
  TYPE_NOT_SUPPORTED: ["TX_UNSUPPORTED_TYPE", "TX_TYPED_WRAPPED"],
};

function expectedCodes(exception: string): readonly string[] | undefined {
  const name = exception.replace(/^TransactionException\./, "");
  const exact = EXPECTED_CODES[name];
  if (exact !== undefined) return exact;
  if (name.startsWith("RLP_LEADING_ZEROS")) return ["RLP_LEADING_ZERO", "RLP_NON_CANONICAL"];
  if (name.startsWith("RLP_")) return DECODE_CODES;
  return undefined;
}

interface Expectation {
  readonly exception?: string;
  readonly hash?: string;
  readonly sender?: string;
  readonly intrinsicGas?: string;
}
interface Case {
  readonly name: string;
  readonly txbytes: string;
  readonly fork: string;
  readonly expect: Expectation;
}

function loadCases(): Case[] {
  const cases: Case[] = [];
  for (const dir of readdirSync(ROOT).sort()) {
    for (const file of readdirSync(join(ROOT, dir)).sort()) {
      if (!file.endsWith(".json")) continue;
      const json = JSON.parse(readFileSync(join(ROOT, dir, file), "utf8")) as Record<
        string,
        { txbytes: string; result: Record<string, Expectation> }
      >;
      for (const [name, t] of Object.entries(json)) {
        const fork = Object.keys(t.result).sort((a, b) => FORK_ORDER.indexOf(b) - FORK_ORDER.indexOf(a))[0]!;
        expect(FORK_ORDER).toContain(fork);
        cases.push({ name: `${dir}/${name}`, txbytes: t.txbytes, fork, expect: t.result[fork]! });
      }
    }
  }
  return cases;
}

/** Everything a client does to a raw transaction before execution; returns hash, sender, intrinsic gas. */
function processTx(txbytes: string): { hash: string; sender: string; intrinsicGas: number } {
  const tx = decodeTransaction(looseHexToBytes(txbytes));
  const intrinsicGas = validateTransaction(tx, { chainId: CHAIN_ID });
  const sender = recoverSender(tx, { chainId: CHAIN_ID });
  return { hash: bytesToHex(transactionHash(tx)), sender: bytesToHex(sender), intrinsicGas };
}

describe("ethereum/tests TransactionTests", () => {
  const cases = loadCases();

  it(`loads at least ${MIN_CASES} cases`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(MIN_CASES);
  });

  it("every case matches its latest-fork expectation", () => {
    const failures: string[] = [];
    let ran = 0;
    let valid = 0;
    for (const c of cases) {
      ran++;
      if (c.expect.exception === undefined) valid++;
      const want = c.expect;
      try {
        const got = processTx(c.txbytes);
        if (want.exception !== undefined) {
          failures.push(`${c.name} [${c.fork}]: accepted, expected ${want.exception}`);
        } else if (
          got.hash !== want.hash ||
          got.sender !== want.sender ||
          BigInt(got.intrinsicGas) !== BigInt(want.intrinsicGas ?? -1)
        ) {
          failures.push(`${c.name} [${c.fork}]: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
        }
      } catch (e) {
        if (!isFastEvmError(e)) failures.push(`${c.name}: threw a non-FastEvmError ${String(e)}`);
        else if (want.exception === undefined)
          failures.push(`${c.name} [${c.fork}]: rejected valid tx: ${e.code} ${e.message}`);
        else if (!expectedCodes(want.exception)?.includes(e.code)) {
          failures.push(
            `${c.name} [${c.fork}]: rejected with ${e.code} (${e.message}), expected ${want.exception}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(MIN_CASES);
    expect(valid).toBeGreaterThanOrEqual(MIN_VALID);
  });
});
