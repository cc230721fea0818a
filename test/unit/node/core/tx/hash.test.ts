import { describe, expect, it } from "vitest";
import { keccak256 } from "../../../../../node/core/hash.ts";
import { decodeTransaction } from "../../../../../node/core/tx/decode.ts";
import { encodeTransaction } from "../../../../../node/core/tx/encode.ts";
import { signingHash, transactionHash } from "../../../../../node/core/tx/hash.ts";
import { recoverSender } from "../../../../../node/core/tx/sender.ts";
import type { Transaction } from "../../../../../node/core/tx/types.ts";
import { sampleTx } from "./samples.ts";

describe("memoized hash and sender", () => {
  const raw = encodeTransaction(sampleTx(2));

  it("hashes the decoded input bytes", () => {
    expect(transactionHash(decodeTransaction(raw))).toEqual(keccak256(raw));
  });

  it("an edited copy does not inherit the original's hash, signing hash or sender", () => {
    const tx = decodeTransaction(raw);
    const sender = recoverSender(tx);
    const edited: Transaction = { ...tx, nonce: tx.nonce + 1n };
    expect(transactionHash(edited)).toEqual(keccak256(encodeTransaction({ ...edited })));
    expect(transactionHash(edited)).not.toEqual(transactionHash(tx));
    expect(signingHash(edited)).not.toEqual(signingHash(tx));
    expect(recoverSender(edited)).not.toEqual(sender);
  });

  it("survives structured clone as plain data and recomputes the same values", () => {
    const tx = decodeTransaction(raw);
    const clone = structuredClone(tx);
    expect(clone).toEqual(tx);
    expect(transactionHash(clone)).toEqual(transactionHash(tx));
    expect(recoverSender(clone)).toEqual(recoverSender(tx));
  });

  it("works on frozen transactions (no memo, same answers)", () => {
    const tx = Object.freeze({ ...decodeTransaction(raw) });
    expect(transactionHash(tx)).toEqual(keccak256(raw));
    expect(recoverSender(tx)).toEqual(recoverSender(decodeTransaction(raw)));
  });
});
