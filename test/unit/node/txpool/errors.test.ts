/** The pool's refusals (node/txpool/errors.ts): geth's messages, typed codes, and no stack trace captured. */
import { describe, expect, it } from "vitest";
import { ErrorCode, isFastEvmError } from "../../../../node/core/errors.ts";
import { txPoolError } from "../../../../node/txpool/errors.ts";

describe("txPoolError", () => {
  it("is geth's message with the detail, a FastEvmError of its code, and carries no stack frames", () => {
    const limit = Error.stackTraceLimit;
    const e = txPoolError(ErrorCode.TXPOOL_NONCE_TOO_LOW, "next nonce 3, tx nonce 1");
    expect(isFastEvmError(e, ErrorCode.TXPOOL_NONCE_TOO_LOW)).toBe(true);
    expect(e.message).toBe("nonce too low: next nonce 3, tx nonce 1");
    expect(txPoolError(ErrorCode.TXPOOL_FULL).toObject()).toEqual({
      code: ErrorCode.TXPOOL_FULL,
      message: "txpool is full",
    });
    expect(e.stack?.split("\n").filter((l) => l.trim().startsWith("at "))).toEqual([]);
    expect(Error.stackTraceLimit).toBe(limit); // restored for every other error
    expect(new Error("x").stack?.split("\n").length).toBeGreaterThan(1);
  });
});
