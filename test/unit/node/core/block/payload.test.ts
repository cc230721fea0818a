/**
 * Block ↔ ExecutionPayloadV1/V2/V3 round trips. Vectors: every valid post-merge block of BlockchainTests
 * (decoded from its `rlp`, turned into a payload, through JSON, back into a block that must re-encode to the
 * same bytes with the same hash), plus V1/V2 shapes derived from them and strict-validation failures.
 */
import { describe, expect, it } from "vitest";
import { type Block, decodeBlock, encodeBlock } from "../../../../../node/core/block/block.ts";
import { type BlockHeader, headerHash } from "../../../../../node/core/block/header.ts";
import {
  blockToPayload,
  type ExecutionPayload,
  type ExecutionPayloadV3,
  payloadToBlock,
  payloadVersion,
} from "../../../../../node/core/block/payload.ts";
import { ErrorCode, isFastEvmError } from "../../../../../node/core/errors.ts";
import { bytesToHex, hexToBytes } from "../../../../../node/core/hex.ts";
import { loadBlockchainTests } from "../../../../utils/blockFixtures.ts";

function postMergeBlocks(): { name: string; rlp: string; block: Block }[] {
  const out = [];
  for (const { name, test } of loadBlockchainTests()) {
    for (const [i, b] of test.blocks.entries()) {
      if (b.expectException !== undefined || b.blockHeader === undefined) continue;
      const block = decodeBlock(hexToBytes(b.rlp));
      if (block.header.difficulty !== 0n || block.ommers.length > 0) continue;
      out.push({ name: `${name}#${i}`, rlp: b.rlp, block });
    }
  }
  return out;
}

const vectors = postMergeBlocks();
const viaJson = (p: ExecutionPayload): ExecutionPayload => JSON.parse(JSON.stringify(p)) as ExecutionPayload;

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(isFastEvmError(e, code), String(e)).toBe(true);
    return;
  }
  expect.fail(`expected ${code}`);
}

/** A header cut back to an earlier fork's field set. */
function downgrade(h: BlockHeader, to: 1 | 2): BlockHeader {
  const { blobGasUsed: _a, excessBlobGas: _b, parentBeaconBlockRoot: _c, withdrawalsRoot, ...rest } = h;
  return to === 2 && withdrawalsRoot !== undefined ? { ...rest, withdrawalsRoot } : rest;
}

describe("execution payload conversions", () => {
  it("has the BlockchainTests vectors", () => {
    expect(vectors.length).toBe(1015);
  });

  it("round-trips every valid block through ExecutionPayloadV3 JSON", () => {
    const failures: string[] = [];
    for (const { name, rlp, block } of vectors) {
      const payload = viaJson(blockToPayload(block));
      if (payloadVersion(payload) !== 3) failures.push(`${name}: not V3`);
      if (payload.blockHash !== bytesToHex(headerHash(block.header)))
        failures.push(`${name}: payload blockHash`);
      const back = payloadToBlock(payload, block.header.parentBeaconBlockRoot);
      if (bytesToHex(back.blockHash) !== payload.blockHash) failures.push(`${name}: rebuilt hash`);
      if (bytesToHex(encodeBlock(back.block)) !== rlp) failures.push(`${name}: re-encoding`);
    }
    expect(failures).toEqual([]);
  });

  it("round-trips V1 and V2 shapes", () => {
    for (const { block } of vectors.slice(0, 50)) {
      for (const version of [1, 2] as const) {
        const header = downgrade(block.header, version);
        const b: Block =
          version === 1
            ? { header, transactions: block.transactions, ommers: [] }
            : { header, transactions: block.transactions, ommers: [], withdrawals: block.withdrawals ?? [] };
        const payload = viaJson(blockToPayload(b));
        expect(payloadVersion(payload)).toBe(version);
        expect("withdrawals" in payload).toBe(version === 2);
        const back = payloadToBlock(payload);
        expect(bytesToHex(back.blockHash)).toBe(payload.blockHash);
        expect(bytesToHex(encodeBlock(back.block))).toBe(bytesToHex(encodeBlock(b)));
      }
    }
  });

  it("uses the schema's hex forms: quantities without leading zeros, data as 0x bytes", () => {
    const p = blockToPayload(vectors[0]!.block) as ExecutionPayloadV3;
    for (const q of [
      p.blockNumber,
      p.gasLimit,
      p.gasUsed,
      p.timestamp,
      p.baseFeePerGas,
      p.blobGasUsed,
      p.excessBlobGas,
    ]) {
      expect(q).toMatch(/^0x(0|[1-9a-f][0-9a-f]*)$/);
    }
    expect(p.logsBloom).toMatch(/^0x[0-9a-f]{512}$/);
    expect(p.feeRecipient).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it("rejects malformed payloads with PAYLOAD_INVALID naming the field", () => {
    const base = blockToPayload(vectors[0]!.block) as ExecutionPayloadV3;
    const root = vectors[0]!.block.header.parentBeaconBlockRoot!;
    const bad: [string, ExecutionPayloadV3][] = [
      ["stateRoot", { ...base, stateRoot: "0x1234" }],
      ["gasLimit", { ...base, gasLimit: "0x01" }],
      ["timestamp", { ...base, timestamp: "0x1ffffffffffffffff" }],
      ["extraData", { ...base, extraData: `0x${"00".repeat(33)}` }],
      ["feeRecipient", { ...base, feeRecipient: "0xzz" }],
      ["transactions[0]", { ...base, transactions: ["0x"] }],
      [
        "withdrawals[0].amount",
        {
          ...base,
          withdrawals: [
            { index: "0x0", validatorIndex: "0x0", address: `0x${"11".repeat(20)}`, amount: "0x" },
          ],
        },
      ],
    ];
    for (const [fieldName, p] of bad) {
      try {
        payloadToBlock(p, root);
        expect.fail(`accepted a bad ${fieldName}`);
      } catch (e) {
        expect(isFastEvmError(e, ErrorCode.PAYLOAD_INVALID)).toBe(true);
        expect((e as Error).message).toContain(fieldName);
      }
    }
    expectCode(() => payloadToBlock(base), ErrorCode.PAYLOAD_INVALID);
  });

  it("detects a payload whose blockHash does not match its contents", () => {
    const { block } = vectors[0]!;
    const p = blockToPayload(block) as ExecutionPayloadV3;
    const tampered = { ...p, gasUsed: `0x${(block.header.gasUsed + 1n).toString(16)}` };
    const back = payloadToBlock(tampered, block.header.parentBeaconBlockRoot);
    expect(bytesToHex(back.blockHash)).not.toBe(p.blockHash);
  });
});
