/**
 * ethereum/tests BlockchainTests, genesis only: for every test entry, the state root computed from `pre` and the
 * hash and RLP of `genesisBlockHeader` (encoded from its JSON fields) must match the fixture; the fixture's
 * `genesisRLP` must also decode strictly and re-encode to the same bytes.
 */
import { describe, expect, it } from "vitest";
import { decodeBlock, encodeBlock, ommersHash, transactionsRoot } from "../../node/core/block/block.ts";
import { headerHash } from "../../node/core/block/header.ts";
import { withdrawalsRoot } from "../../node/core/block/withdrawal.ts";
import { equalBytes } from "../../node/core/bytes.ts";
import { parseGenesisAlloc } from "../../node/core/chain/genesisJson.ts";
import { ErrorCode, isFastEvmError } from "../../node/core/errors.ts";
import { bytesToHex, hexToBytes } from "../../node/core/hex.ts";
import { computeStateRoot } from "../../node/state/stateRoot.ts";
import { headerFromFixture, loadBlockchainTests } from "../utils/blockFixtures.ts";

const tests = loadBlockchainTests();
/** Blocks without `expectException` across all entries (observed count). */
const VALID_BLOCKS = 1015;

describe("BlockchainTests genesis", () => {
  it("finds every test entry", () => {
    expect(tests.length).toBe(519);
    // All of this fixture set is Cancun; a new network would need its header rules checked here.
    expect(new Set(tests.map((t) => t.test.network))).toEqual(new Set(["Cancun"]));
  });

  it("matches genesis state root, hash and RLP for every entry", () => {
    let checked = 0;
    let rlpChecked = 0;
    const failures: string[] = [];
    for (const { name, test } of tests) {
      const h = test.genesisBlockHeader;
      const root = bytesToHex(computeStateRoot(parseGenesisAlloc(test.pre, "pre")));
      if (root !== h.stateRoot) failures.push(`${name}: state root ${root} != ${h.stateRoot}`);
      const header = headerFromFixture(h);
      const hash = bytesToHex(headerHash(header));
      if (hash !== h.hash) failures.push(`${name}: hash ${hash} != ${h.hash}`);
      const block =
        header.withdrawalsRoot === undefined
          ? { header, transactions: [], ommers: [] }
          : { header, transactions: [], ommers: [], withdrawals: [] };
      if (test.genesisRLP !== undefined) {
        if (bytesToHex(encodeBlock(block)) !== test.genesisRLP) failures.push(`${name}: genesis RLP differs`);
        const decoded = decodeBlock(hexToBytes(test.genesisRLP));
        if (bytesToHex(headerHash(decoded.header)) !== h.hash)
          failures.push(`${name}: decoded genesisRLP hash differs`);
        if (bytesToHex(encodeBlock(decoded)) !== test.genesisRLP)
          failures.push(`${name}: genesisRLP re-encoding differs`);
        rlpChecked++;
      }
      checked++;
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(519);
    expect(rlpChecked).toBe(519);
  });

  // Beyond genesis: every block a fixture marks valid must decode strictly, hash to its `blockHeader.hash`,
  // re-encode to the same bytes, and have its transactions and withdrawals roots recomputed from the body.
  it("decodes every valid block, recomputing hash and body roots", () => {
    let valid = 0;
    const failures: string[] = [];
    for (const { name, test } of tests) {
      for (const [i, b] of test.blocks.entries()) {
        if (b.expectException !== undefined || b.blockHeader === undefined) continue;
        const at = `${name}#${i}`;
        const block = decodeBlock(hexToBytes(b.rlp));
        if (bytesToHex(headerHash(block.header)) !== b.blockHeader.hash) failures.push(`${at}: hash`);
        if (bytesToHex(encodeBlock(block)) !== b.rlp) failures.push(`${at}: re-encoding`);
        if (bytesToHex(transactionsRoot(block.transactions)) !== b.blockHeader.transactionsTrie)
          failures.push(`${at}: tx root`);
        const wr =
          block.withdrawals === undefined ? undefined : bytesToHex(withdrawalsRoot(block.withdrawals));
        if (wr !== b.blockHeader.withdrawalsRoot) failures.push(`${at}: withdrawals root`);
        if (bytesToHex(ommersHash(block.ommers)) !== b.blockHeader.uncleHash)
          failures.push(`${at}: ommers hash`);
        valid++;
      }
    }
    expect(failures).toEqual([]);
    expect(valid).toBe(VALID_BLOCKS);
  });

  // Invalid blocks our layer is responsible for: RLP-level defects must fail decoding with BLOCK_DECODE, and
  // bodies whose transactions/withdrawals do not match the header's roots must show a root mismatch.
  it("rejects the RLP-invalid blocks and detects wrong body roots", () => {
    let rlpRejected = 0;
    let rootMismatches = 0;
    const failures: string[] = [];
    for (const { name, test } of tests) {
      for (const [i, b] of test.blocks.entries()) {
        const ex = b.expectException ?? "";
        if (ex.includes("RLP_")) {
          try {
            decodeBlock(hexToBytes(b.rlp));
            failures.push(`${name}#${i}: decoded despite ${ex}`);
          } catch (e) {
            if (!isFastEvmError(e, ErrorCode.BLOCK_DECODE)) failures.push(`${name}#${i}: ${String(e)}`);
            rlpRejected++;
          }
        } else if (ex.includes("INVALID_TRANSACTIONS_ROOT") || ex.includes("INVALID_WITHDRAWALS_ROOT")) {
          const block = decodeBlock(hexToBytes(b.rlp));
          const txOk = equalBytes(transactionsRoot(block.transactions), block.header.transactionsRoot);
          const wOk = equalBytes(
            withdrawalsRoot(block.withdrawals ?? []),
            block.header.withdrawalsRoot ?? new Uint8Array(0),
          );
          if (txOk && wOk) failures.push(`${name}#${i}: roots match despite ${ex}`);
          rootMismatches++;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(rlpRejected).toBe(9);
    expect(rootMismatches).toBe(3);
  });
});
