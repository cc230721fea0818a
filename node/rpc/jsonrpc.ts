/**
 * JSON-RPC 2.0 framing (single requests, batches, notifications) with the standard and Engine API error
 * codes. Limits are enforced before any method runs: the body size by the server, the batch length and the
 * method-name length here; a batch whose answers grow past the response limit gets -32003 for the rest of
 * its calls (geth). Typed internal errors carry `data: {err}` under -32000; an `RpcError` may carry its own
 * `data` (eth_call's revert data under code 3); every other error has `data: null`.
 */
import { isFastEvmError } from "../core/errors.ts";
import type { RpcMetrics } from "../metrics/metrics.ts";

export const RpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  SERVER_ERROR: -32000,
  UNKNOWN_PAYLOAD: -38001,
  INVALID_FORKCHOICE_STATE: -38002,
  INVALID_PAYLOAD_ATTRIBUTES: -38003,
  TOO_LARGE_REQUEST: -38004,
  UNSUPPORTED_FORK: -38005,
  TOO_DEEP_REORG: -38006,
  /** geth: a batch response above --rpc.batch-response-max-size */
  RESPONSE_TOO_LARGE: -32003,
  /** geth: a reverted eth_call / eth_estimateGas */
  EXECUTION_REVERTED: 3,
} as const;

const MESSAGES: Record<number, string> = {
  [3]: "execution reverted",
  [-32700]: "Parse error",
  [-32600]: "Invalid Request",
  [-32601]: "Method not found",
  [-32602]: "Invalid params",
  [-32603]: "Internal error",
  [-32000]: "Server error",
  [-38001]: "Unknown payload",
  [-38002]: "Invalid forkchoice state",
  [-38003]: "Invalid payload attributes",
  [-38004]: "Too large request",
  [-38005]: "Unsupported fork",
  [-38006]: "Too deep reorg",
  [-32003]: "response too large",
};

/**
 * geth's figures: 5 MiB request bodies, 1000 requests per batch, 25 MB per batch response; a method name is
 * at most 2048 bytes (reliability row 14).
 */
export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;
export const DEFAULT_BATCH_LIMIT = 1000;
export const DEFAULT_BATCH_RESPONSE_LIMIT = 25_000_000;
export const MAX_METHOD_NAME = 2048;

/** A JSON-RPC error a handler throws on purpose; its `detail` goes into the message after the standard text. */
export class RpcError extends Error {
  /** the `data` member of the error object (null unless set) */
  data: unknown;
  constructor(
    readonly code: number,
    readonly detail?: string,
    data: unknown = null,
  ) {
    const base = MESSAGES[code] ?? "Error";
    super(detail === undefined ? base : `${base}: ${detail}`);
    this.name = "RpcError";
    this.data = data;
  }

  /** An error with exactly this message (geth's wording, e.g. "safe block not found") and optional data. */
  static exact(code: number, message: string, data: unknown = null): RpcError {
    const e = new RpcError(code);
    e.message = message;
    e.data = data;
    return e;
  }
}

/**
 * A connection that can receive server-initiated messages (a WebSocket): subscriptions push notifications
 * through it. `send` answers false once the connection is gone (closed, or dropped for backpressure).
 */
export interface RpcSession {
  readonly id: number;
  send(text: string): boolean;
  /** called once, when the connection closes */
  onClose(cb: () => void): void;
}

/** What a handler knows about the call: the session when it came over a WebSocket. */
export interface RpcCall {
  readonly session?: RpcSession;
}

export type RpcHandler = (params: readonly unknown[], call: RpcCall) => unknown;
export type RpcMethods = ReadonlyMap<string, RpcHandler>;

export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data: unknown;
}

type Id = string | number | null;

function errorResponse(id: Id, code: number, message?: string, data: unknown = null): object {
  return { jsonrpc: "2.0", id, error: { code, message: message ?? MESSAGES[code] ?? "Error", data } };
}

function isValidId(id: unknown): id is Id {
  return id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

const DATA_CODES: ReadonlySet<number> = new Set([RpcCode.EXECUTION_REVERTED, RpcCode.SERVER_ERROR]);

/**
 * The error object for anything a handler threw (also what the in-process engine fails with, so a failure
 * reads the same over the wire and in process); internal failures are logged, not leaked.
 */
export function rpcErrorObject(e: unknown, log: (msg: string) => void): RpcErrorObject {
  // execution-apis: only the server error (-32000) and a revert (3) carry `data`
  if (e instanceof RpcError)
    return { code: e.code, message: e.message, data: DATA_CODES.has(e.code) ? (e.data ?? null) : null };
  if (isFastEvmError(e)) return { code: RpcCode.SERVER_ERROR, message: e.message, data: { err: e.code } };
  log(`rpc internal error: ${(e as Error)?.stack ?? String(e)}`);
  return { code: RpcCode.INTERNAL_ERROR, message: MESSAGES[RpcCode.INTERNAL_ERROR] ?? "Error", data: null };
}

function toError(id: Id, e: unknown, log: (msg: string) => void): object {
  const o = rpcErrorObject(e, log);
  return errorResponse(id, o.code, o.message, o.data);
}

export interface DispatcherOptions {
  readonly batchLimit?: number;
  /** bytes of results a batch may answer with before the rest get -32003 */
  readonly batchResponseLimit?: number;
  readonly log?: (msg: string) => void;
  /** the process's RPC metrics: calls by method and outcome, durations; absent: nothing is measured */
  readonly metrics?: RpcMetrics;
  /** the `server` label of those metrics (engine, http, ws); default "rpc" */
  readonly server?: string;
}

const NO_CALL: RpcCall = {};

/**
 * Turns request text into response text (or null: notifications only, nothing to send). Calls inside a batch
 * run one after another, in order, since forkchoice updates must be processed in arrival order.
 */
export class JsonRpcDispatcher {
  readonly #batchLimit: number;
  readonly #responseLimit: number;
  readonly #log: (msg: string) => void;
  readonly #metrics: RpcMetrics | undefined;
  readonly #server: string;
  /** `Date.now()` of the latest call to a known method (readiness: is a consensus client talking to us) */
  lastCallMs: number | undefined;

  constructor(
    readonly methods: RpcMethods,
    opts: DispatcherOptions = {},
  ) {
    this.#batchLimit = opts.batchLimit ?? DEFAULT_BATCH_LIMIT;
    this.#responseLimit = opts.batchResponseLimit ?? DEFAULT_BATCH_RESPONSE_LIMIT;
    this.#log = opts.log ?? ((m) => console.error(m));
    this.#metrics = opts.metrics;
    this.#server = opts.server ?? "rpc";
  }

  async handle(text: string, call: RpcCall = NO_CALL): Promise<string | null> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return JSON.stringify(errorResponse(null, RpcCode.PARSE_ERROR));
    }
    if (Array.isArray(msg)) {
      if (msg.length === 0)
        return JSON.stringify(errorResponse(null, RpcCode.INVALID_REQUEST, "empty batch"));
      if (msg.length > this.#batchLimit) {
        // geth: one error in an array, with the id of the batch's first call
        const first = msg.find((m) => typeof m === "object" && m !== null && "id" in m) as
          | { id?: unknown }
          | undefined;
        const id = first !== undefined && isValidId(first.id) ? first.id : null;
        return JSON.stringify([errorResponse(id, RpcCode.INVALID_REQUEST, "batch too large")]);
      }
      const out: string[] = [];
      let bytes = 0;
      for (const m of msg) {
        if (bytes > this.#responseLimit) {
          const id = typeof m === "object" && m !== null && "id" in m ? (m as { id: unknown }).id : undefined;
          if (id !== undefined)
            out.push(JSON.stringify(errorResponse(isValidId(id) ? id : null, RpcCode.RESPONSE_TOO_LARGE)));
          continue;
        }
        const r = await this.#one(m, call);
        if (r === null) continue;
        const s = JSON.stringify(r);
        bytes += s.length;
        out.push(s);
      }
      return out.length === 0 ? null : `[${out.join(",")}]`;
    }
    const r = await this.#one(msg, call);
    return r === null ? null : JSON.stringify(r);
  }

  /**
   * One call from inside this process (the in-process validator's Engine API endpoint): the same checks,
   * metrics and error mapping as a request over the wire, without the JSON text either way.
   */
  async request(
    method: string,
    params: readonly unknown[],
  ): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
    const r = (await this.#one({ jsonrpc: "2.0", id: 0, method, params: [...params] }, NO_CALL)) as {
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };
    return r;
  }

  async #one(m: unknown, call: RpcCall): Promise<object | null> {
    if (typeof m !== "object" || m === null || Array.isArray(m))
      return errorResponse(null, RpcCode.INVALID_REQUEST);
    const req = m as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const isNotification = !("id" in req);
    const id: Id = isValidId(req.id) ? req.id : null;
    if (req.jsonrpc !== "2.0" || typeof req.method !== "string" || (!isNotification && !isValidId(req.id)))
      return errorResponse(id, RpcCode.INVALID_REQUEST);
    if (req.method.length > MAX_METHOD_NAME)
      return errorResponse(id, RpcCode.INVALID_REQUEST, "method name too long");
    if (req.params !== undefined && req.params !== null && !Array.isArray(req.params))
      return isNotification ? null : errorResponse(id, RpcCode.INVALID_PARAMS, "params must be an array");
    const handler = this.methods.get(req.method);
    const metrics = this.#metrics;
    if (handler === undefined) {
      // unknown names are not labels: a caller must not grow the label set
      metrics?.requests.inc({ server: this.#server, method: "unknown", outcome: "not_found" });
      return isNotification
        ? null
        : errorResponse(
            id,
            RpcCode.METHOD_NOT_FOUND,
            `the method ${req.method} does not exist/is not available`,
          );
    }
    let result: unknown;
    this.lastCallMs = Date.now();
    const t0 = performance.now();
    const done = (outcome: string) => {
      if (metrics === undefined) return;
      const labels = { server: this.#server, method: req.method as string };
      metrics.requests.inc({ ...labels, outcome });
      metrics.requestTime.observe(labels, (performance.now() - t0) / 1000);
    };
    try {
      result = await handler((req.params as unknown[] | null | undefined) ?? [], call);
    } catch (e) {
      done(e instanceof RpcError || isFastEvmError(e) ? "error" : "internal_error");
      return isNotification ? null : toError(id, e, this.#log);
    }
    done("ok");
    if (isNotification) return null;
    return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
  }
}
