/**
 * What the consensus driver may retry, decided in one place. A failure of an Engine API step is either
 *   - transient: the execution node could not answer yet — unreachable (connection refused/reset, a
 *     timeout, a closed socket), restarting (no head block, an unknown payload id after a restart),
 *     busy (HTTP 5xx, -32603, a full worker pool), or behind (SYNCING / ACCEPTED): retried with backoff;
 *   - rejected: the execution node answered, deterministically, that the commit's block is wrong — an
 *     INVALID payload, invalid attributes (-38003: the timestamp rule, the gas-limit bound, extraData),
 *     an invalid forkchoice state (-38002), an unsupported fork (-38005), a too-deep reorg (-38006), a
 *     malformed request (-32700/-32600/-32601/-32602), a refused JWT (HTTP 401/403), or a validation
 *     error code: every retry gets the same answer, so the validator stops loudly instead.
 * A failure that carries no answer (an exception from the transport itself, not a FastEvmError) is
 * transient: it is how `fetch` reports an unreachable node.
 */
import { ErrorCode, FastEvmError, isFastEvmError, isValidationCode } from "../../core/errors.ts";

export type EngineFailureKind = "transient" | "rejected";

export interface EngineFailure {
  readonly kind: EngineFailureKind;
  /** a short reason for the log (the status, the JSON-RPC code, the error code) */
  readonly reason: string;
}

/** JSON-RPC error codes (execution-apis) whose answer does not change on retry. */
const REJECTING_RPC_CODES: ReadonlyMap<number, string> = new Map([
  [-32700, "parse error"],
  [-32600, "invalid request"],
  [-32601, "method not found"],
  [-32602, "invalid params"],
  [-38002, "invalid forkchoice state"],
  [-38003, "invalid payload attributes"],
  [-38004, "too large request"],
  [-38005, "unsupported fork"],
  [-38006, "too deep reorg"],
  // HTTP statuses, negated (the HTTP client's convention): a refused token or an unknown route
  [-401, "HTTP 401 (JWT refused)"],
  [-403, "HTTP 403"],
  [-404, "HTTP 404"],
]);

/** Payload statuses (paris.md): INVALID ones reject, the others say "not yet". */
const REJECTING_STATUSES: ReadonlySet<string> = new Set(["INVALID", "INVALID_BLOCK_HASH"]);
const WAITING_STATUSES: ReadonlySet<string> = new Set(["SYNCING", "ACCEPTED"]);

/**
 * The driver's error for a payload status other than VALID (`meta.status`), so that the classification
 * reads the status rather than a message.
 */
export function payloadStatusError(
  what: string,
  st: { readonly status: string; readonly validationError?: string | null },
): FastEvmError {
  return new FastEvmError(
    ErrorCode.CONSENSUS_ENGINE,
    `${what}: ${st.status}${st.validationError ? ` (${st.validationError})` : ""}`,
    {
      status: st.status,
      validationError: st.validationError ?? null,
    },
  );
}

/** Transient or rejected, with the reason (see the module comment for the table). */
export function classifyEngineFailure(e: unknown): EngineFailure {
  if (!isFastEvmError(e))
    return { kind: "transient", reason: `transport: ${(e as Error)?.message ?? String(e)}` };
  if (e.code === ErrorCode.CONSENSUS_ENGINE_REJECTED) return { kind: "rejected", reason: e.message };
  const meta = e.meta ?? {};
  if (typeof meta.status === "string") {
    if (REJECTING_STATUSES.has(meta.status))
      return { kind: "rejected", reason: `payload status ${meta.status}` };
    if (WAITING_STATUSES.has(meta.status))
      return { kind: "transient", reason: `payload status ${meta.status}` };
    return { kind: "rejected", reason: `unexpected payload status ${meta.status}` };
  }
  if (typeof meta.rpcCode === "number") {
    const rejecting = REJECTING_RPC_CODES.get(meta.rpcCode);
    if (rejecting !== undefined) return { kind: "rejected", reason: `${meta.rpcCode} ${rejecting}` };
    // -32000 carries the server's FastEvmError code in `data.err` (passed on as `meta.cause`)
    if (typeof meta.cause === "string" && isValidationCode(meta.cause))
      return { kind: "rejected", reason: `${meta.rpcCode} ${meta.cause}` };
    return { kind: "transient", reason: `JSON-RPC error ${meta.rpcCode}` };
  }
  if (isValidationCode(e.code)) return { kind: "rejected", reason: e.code };
  return { kind: "transient", reason: e.code };
}

/**
 * The error that stops the validator: `commitIndex` could not be executed because the execution node
 * rejected it deterministically (`meta.commitIndex`, `meta.reason`).
 */
export function engineRejected(
  commitIndex: number,
  what: string,
  failure: EngineFailure,
  cause: unknown,
): FastEvmError {
  return new FastEvmError(
    ErrorCode.CONSENSUS_ENGINE_REJECTED,
    `${what}: the execution node rejected it (${failure.reason}): ${(cause as Error)?.message ?? String(cause)}`,
    { commitIndex, reason: failure.reason },
    { cause },
  );
}
