/**
 * Header rules against every Cancun BlockchainTests chain: each block of a valid test passes
 * `validateHeader` against its parent, and each invalid block whose exception is a header rule is rejected
 * with the matching BLOCK_* code. (Execution-dependent rules are the chain's blocktest runner's job.)
 */
import { describe, expect, it } from "vitest";
import { validateHeader } from "../../node/chain/validateHeader.ts";
import { decodeBlock } from "../../node/core/block/block.ts";
import { type BlockHeader, headerHash } from "../../node/core/block/header.ts";
import { chainConfigForFork } from "../../node/core/chain/chainConfig.ts";
import { isFastEvmError } from "../../node/core/errors.ts";
import { bytesToHex, looseHexToBytes } from "../../node/core/hex.ts";
import { headerFromFixture, loadBlockchainTests } from "../utils/blockFixtures.ts";

/** Fixture exceptions that are header rules, and the code we must answer each with. */
const HEADER_EXCEPTIONS: Record<string, string> = {
  "BlockException.INVALID_GASLIMIT": "BLOCK_GAS_LIMIT",
  "BlockException.GASLIMIT_TOO_BIG": "BLOCK_GAS_LIMIT",
  "BlockException.INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT": "BLOCK_TIMESTAMP",
  "BlockException.EXTRA_DATA_TOO_BIG": "BLOCK_EXTRA_DATA",
  "BlockException.INVALID_BLOCK_NUMBER": "BLOCK_NUMBER",
  "BlockException.INVALID_BASEFEE_PER_GAS": "BLOCK_BASE_FEE",
  "BlockException.IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS": "BLOCK_DIFFICULTY",
  "BlockException.IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS": "BLOCK_OMMERS",
};

const config = chainConfigForFork("Cancun");
const tests = loadBlockchainTests().filter((t) => t.test.network === "Cancun");

interface Outcome {
  validated: number;
  rejected: number;
  mismatches: string[];
}

function run(): Outcome {
  const out: Outcome = { validated: 0, rejected: 0, mismatches: [] };
  for (const { name, test } of tests) {
    const genesis = headerFromFixture(test.genesisBlockHeader);
    const known = new Map<string, BlockHeader>([[bytesToHex(headerHash(genesis)), genesis]]);
    test.blocks.forEach((b, i) => {
      let header: BlockHeader;
      try {
        header = decodeBlock(looseHexToBytes(b.rlp)).header;
      } catch {
        return; // undecodable blocks belong to the RLP/decoder tests
      }
      const parentKey = bytesToHex(header.parentHash);
      const parent = known.get(parentKey);
      const expectedCode = b.expectException === undefined ? undefined : HEADER_EXCEPTIONS[b.expectException];
      if (parent === undefined) return; // unknown parent: not a header rule
      let code: string | undefined;
      try {
        validateHeader(header, parent, header.parentHash, { config });
      } catch (e) {
        if (!isFastEvmError(e)) throw e;
        code = e.code;
      }
      if (b.expectException === undefined) {
        if (code !== undefined) out.mismatches.push(`${name} block ${i}: valid block rejected with ${code}`);
        else out.validated++;
        known.set(bytesToHex(headerHash(header)), header);
      } else if (expectedCode !== undefined) {
        if (code !== expectedCode)
          out.mismatches.push(`${name} block ${i}: expected ${expectedCode}, got ${code ?? "accepted"}`);
        else out.rejected++;
      }
    });
  }
  return out;
}

describe("BlockchainTests header rules (Cancun)", () => {
  it("validates every valid block and rejects every header-rule violation with its code", () => {
    const out = run();
    expect(out.mismatches).toEqual([]);
    expect(tests.length).toBeGreaterThanOrEqual(519);
    expect(out.validated).toBeGreaterThanOrEqual(1015);
    expect(out.rejected).toBeGreaterThanOrEqual(80);
    console.log(
      `header rules: ${out.validated} valid blocks accepted, ${out.rejected} invalid headers rejected`,
    );
  });
});
