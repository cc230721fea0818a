/** What the driver retries (node/consensus/execution/engineFailure.ts), as a table. */
import { describe, expect, it } from "vitest";
import {
  classifyEngineFailure,
  engineRejected,
  payloadStatusError,
} from "../../../../../node/consensus/execution/engineFailure.ts";
import { ErrorCode, FastEvmError } from "../../../../../node/core/errors.ts";

const rpc = (rpcCode: number, cause?: string) =>
  new FastEvmError(
    ErrorCode.RPC_CLIENT,
    `call: ${rpcCode}`,
    cause === undefined ? { rpcCode } : { rpcCode, cause },
  );
const status = (s: string) => payloadStatusError("newPayload 0x01", { status: s, validationError: "why" });
const transport = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: { code } });

describe("classifyEngineFailure", () => {
  it.each<[string, unknown, "transient" | "rejected"]>([
    // the node could not answer (yet)
    ["connection refused", transport("ECONNREFUSED"), "transient"],
    ["connection reset", transport("ECONNRESET"), "transient"],
    [
      "timeout",
      Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" }),
      "transient",
    ],
    ["SYNCING", status("SYNCING"), "transient"],
    ["ACCEPTED", status("ACCEPTED"), "transient"],
    ["unknown payload (-38001, a restarted node)", rpc(-38001), "transient"],
    ["internal error (-32603)", rpc(-32603), "transient"],
    ["server error (-32000) with a transient cause", rpc(-32000, "POOL_FULL"), "transient"],
    ["HTTP 503", rpc(-503), "transient"],
    [
      "no head block yet",
      new FastEvmError(ErrorCode.CONSENSUS_ENGINE, "the execution node has no head block"),
      "transient",
    ],
    ["a full worker pool", new FastEvmError(ErrorCode.POOL_FULL, "full"), "transient"],
    // the node answered: the block is wrong, every time
    ["INVALID payload", status("INVALID"), "rejected"],
    ["INVALID_BLOCK_HASH", status("INVALID_BLOCK_HASH"), "rejected"],
    ["VALID without a payloadId", status("VALID without a payloadId"), "rejected"],
    ["invalid attributes (-38003: timestamp rule, gas-limit bound)", rpc(-38003), "rejected"],
    ["invalid forkchoice state (-38002)", rpc(-38002), "rejected"],
    ["unsupported fork (-38005)", rpc(-38005), "rejected"],
    ["too deep reorg (-38006)", rpc(-38006), "rejected"],
    ["invalid params (-32602)", rpc(-32602), "rejected"],
    ["method not found (-32601)", rpc(-32601), "rejected"],
    ["JWT refused (HTTP 401)", rpc(-401), "rejected"],
    ["server error (-32000) with a validation cause", rpc(-32000, "BLOCK_TIMESTAMP"), "rejected"],
    ["a validation error", new FastEvmError(ErrorCode.BLOCK_GAS_LIMIT, "bad"), "rejected"],
    [
      "an earlier rejection",
      engineRejected(3, "executing commit 3", { kind: "rejected", reason: "x" }, new Error("x")),
      "rejected",
    ],
  ])("%s → %s", (_, e, kind) => {
    const f = classifyEngineFailure(e);
    expect(f.kind).toBe(kind);
    expect(f.reason.length).toBeGreaterThan(0);
  });

  it("engineRejected carries the commit index and the reason", () => {
    const cause = rpc(-38003);
    const e = engineRejected(9, "executing commit 9", classifyEngineFailure(cause), cause);
    expect(e.code).toBe("CONSENSUS_ENGINE_REJECTED");
    expect(e.meta).toEqual({ commitIndex: 9, reason: "-38003 invalid payload attributes" });
    expect(e.cause).toBe(cause);
  });
});
