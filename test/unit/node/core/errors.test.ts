/**
 * Validation errors (a verdict on the input) apart from internal, transient and node-dependent ones; errors
 * keep their class across a thread hop (toObject / fromObject).
 */
import { describe, expect, it } from "vitest";
import {
  ErrorCode,
  FastEvmError,
  isValidationCode,
  isValidationError,
} from "../../../../node/core/errors.ts";

describe("isValidationError", () => {
  it("is true for input rules: encodings, transactions (stateless and stateful), headers, blocks, payloads", () => {
    for (const code of [
      ErrorCode.HEX_INVALID,
      ErrorCode.RLP_TRUNCATED,
      ErrorCode.TX_DECODE,
      ErrorCode.TX_INTRINSIC_GAS,
      ErrorCode.TX_NONCE_TOO_LOW,
      ErrorCode.TX_INSUFFICIENT_FUNDS,
      ErrorCode.HEADER_DECODE,
      ErrorCode.BLOCK_TIMESTAMP,
      ErrorCode.BLOCK_INVALID_TX,
      ErrorCode.BLOCK_STATE_ROOT,
      ErrorCode.PAYLOAD_INVALID,
    ])
      expect([code, isValidationError(new FastEvmError(code, "x"))]).toEqual([code, true]);
  });

  it("is false for what depends on this node, internal faults and transient conditions", () => {
    for (const code of [
      ErrorCode.BLOCK_UNKNOWN_PARENT,
      ErrorCode.BLOCK_REORG_TOO_DEEP,
      ErrorCode.NOT_FOUND,
      ErrorCode.INTERNAL,
      ErrorCode.STORAGE,
      ErrorCode.TRIE_INVALID,
      ErrorCode.EVM_INTERNAL,
      ErrorCode.POOL_FULL,
      ErrorCode.POOL_CLOSED,
      ErrorCode.PAYLOAD_BUILD,
      ErrorCode.CONSENSUS_BLOCK_INVALID,
    ])
      expect([code, isValidationError(new FastEvmError(code, "x"))]).toEqual([code, false]);
  });

  it("survives a thread hop and refuses what is not a FastEvmError or not a known code", () => {
    const e = new FastEvmError(ErrorCode.TX_NONCE_TOO_HIGH, "nonce 5 above account nonce 0");
    expect(isValidationError(FastEvmError.fromObject(e.toObject()))).toBe(true);
    expect(isValidationError(new Error("TX_NONCE_TOO_HIGH"))).toBe(false);
    expect(isValidationError({ code: ErrorCode.TX_DECODE })).toBe(false);
    expect(isValidationCode("TX_SOMETHING_NEW")).toBe(false);
    expect(isValidationCode("toString")).toBe(false);
  });
});
