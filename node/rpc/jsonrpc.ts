/**
 * JSON-RPC 2.0 framing (single requests, batches, notifications) with the standard and Engine API error
 * codes. Limits are enforced before any method runs: the body size by the server, the batch length here.
 * Only the server-error code -32000 and the execution-reverted code 3 carry `data` (3: the revert data, hex);
 * every other error has `data: null` (execution-apis).
 */
import { isFastEvmError } from "../core/errors.ts";

export const RpcCode = {
  EXECUTION_REVERTED: 3,
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
} as const;

const MESSAGES: Record<number, string> = {
  3: "execution reverted",
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
};

/** geth's figures: 5 MB request bodies, 1000 requests per batch. */
export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;
export const DEFAULT_BATCH_LIMIT = 1000;

/**
 * A JSON-RPC error a handler throws on purpose; its `detail` goes into the message after the standard text.
 * `data` is sent only with codes 3 and -32000.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    readonly detail?: string,
    readonly data?: unknown,
  ) {
    const base = MESSAGES[code] ?? "Error";
    super(detail === undefined ? base : `${base}: ${detail}`);
    this.name = "RpcError";
  }
}

export type RpcHandler = (params: readonly unknown[]) => unknown;
export type RpcMethods = ReadonlyMap<string, RpcHandler>;

export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data: unknown;
}

type Id = string | number | null;

/** the codes whose errors may carry `data` */
const DATA_CODES: ReadonlySet<number> = new Set([RpcCode.EXECUTION_REVERTED, RpcCode.SERVER_ERROR]);

function errorResponse(id: Id, code: number, message?: string, data: unknown = null): object {
  return { jsonrpc: "2.0", id, error: { code, message: message ?? MESSAGES[code] ?? "Error", data } };
}

function isValidId(id: unknown): id is Id {
  return id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

/** Maps anything a handler threw to an error object; internal failures are logged, not leaked. */
function toError(id: Id, e: unknown, log: (msg: string) => void): object {
  if (e instanceof RpcError)
    return errorResponse(id, e.code, e.message, DATA_CODES.has(e.code) ? (e.data ?? null) : null);
  if (isFastEvmError(e)) return errorResponse(id, RpcCode.SERVER_ERROR, e.message, { err: e.code });
  log(`rpc internal error: ${(e as Error)?.stack ?? String(e)}`);
  return errorResponse(id, RpcCode.INTERNAL_ERROR);
}

export interface DispatcherOptions {
  readonly batchLimit?: number;
  readonly log?: (msg: string) => void;
}

/**
 * Turns request text into response text (or null: notifications only, nothing to send). Calls inside a batch
 * run one after another, in order, since forkchoice updates must be processed in arrival order.
 */
export class JsonRpcDispatcher {
  readonly #batchLimit: number;
  readonly #log: (msg: string) => void;

  constructor(
    readonly methods: RpcMethods,
    opts: DispatcherOptions = {},
  ) {
    this.#batchLimit = opts.batchLimit ?? DEFAULT_BATCH_LIMIT;
    this.#log = opts.log ?? ((m) => console.error(m));
  }

  async handle(text: string): Promise<string | null> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return JSON.stringify(errorResponse(null, RpcCode.PARSE_ERROR));
    }
    if (Array.isArray(msg)) {
      if (msg.length === 0)
        return JSON.stringify(errorResponse(null, RpcCode.INVALID_REQUEST, "empty batch"));
      if (msg.length > this.#batchLimit)
        return JSON.stringify(
          errorResponse(null, RpcCode.INVALID_REQUEST, `batch of ${msg.length} exceeds ${this.#batchLimit}`),
        );
      const out: object[] = [];
      for (const m of msg) {
        const r = await this.#one(m);
        if (r !== null) out.push(r);
      }
      return out.length === 0 ? null : JSON.stringify(out);
    }
    const r = await this.#one(msg);
    return r === null ? null : JSON.stringify(r);
  }

  async #one(m: unknown): Promise<object | null> {
    if (typeof m !== "object" || m === null || Array.isArray(m))
      return errorResponse(null, RpcCode.INVALID_REQUEST);
    const req = m as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const isNotification = !("id" in req);
    const id: Id = isValidId(req.id) ? req.id : null;
    if (req.jsonrpc !== "2.0" || typeof req.method !== "string" || (!isNotification && !isValidId(req.id)))
      return errorResponse(id, RpcCode.INVALID_REQUEST);
    if (req.params !== undefined && !Array.isArray(req.params))
      return isNotification ? null : errorResponse(id, RpcCode.INVALID_PARAMS, "params must be an array");
    const handler = this.methods.get(req.method);
    if (handler === undefined)
      return isNotification
        ? null
        : errorResponse(
            id,
            RpcCode.METHOD_NOT_FOUND,
            `the method ${req.method} does not exist/is not available`,
          );
    let result: unknown;
    try {
      result = await handler((req.params as unknown[] | undefined) ?? []);
    } catch (e) {
      return isNotification ? null : toError(id, e, this.#log);
    }
    if (isNotification) return null;
    return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
  }
}
