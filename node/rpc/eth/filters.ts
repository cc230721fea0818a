/**
 * Polling filters over HTTP (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter,
 * eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter). Bounded: at most `limits.maxFilters`
 * filters (a new one past that is refused), each buffering at most `limits.filterBuffer` entries between
 * polls (the oldest are dropped); a filter not polled for `limits.filterTimeoutMs` (5 min) is removed.
 * Pending-transaction filters need the txpool seam: without it they answer -32601.
 */
import { randomBytes } from "node:crypto";
import type { HeadChange } from "../../chain/chain.ts";
import { bytesToHex as hex } from "../../core/hex.ts";
import type { RpcHandler } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import { type BlockSpec, resolveBlockNumber } from "./blockTag.ts";
import type { RpcContext } from "./context.ts";
import { HeadEvents } from "./headEvents.ts";
import { headChangeLogs, type LogQuery, parseLogQuery, queryLogs } from "./logs.ts";
import { maxArgs } from "./params.ts";

type FilterKind = "block" | "pending" | "logs";

interface Filter {
  readonly kind: FilterKind;
  readonly query?: LogQuery;
  lastPoll: number;
  items: unknown[];
}

const SWEEP_MS = 30_000;

export function newId(): string {
  return hex(randomBytes(16));
}

export function methodNotAvailable(name: string): RpcError {
  return RpcError.exact(RpcCode.METHOD_NOT_FOUND, `the method ${name} does not exist/is not available`);
}

/**
 * A log filter's bound as its changes follow the head: a number is itself, `latest` / `pending` follow the
 * head (no bound), any other tag (`safe`, `finalized`, `earliest`) is the block the one resolver names now;
 * null while that block is not known yet (nothing matches).
 */
function followBound(ctx: RpcContext, s: BlockSpec): bigint | undefined | null {
  if (s.kind === "number") return s.number;
  if (s.kind === "tag" && (s.tag === "latest" || s.tag === "pending")) return undefined;
  try {
    return resolveBlockNumber(ctx, s);
  } catch {
    return null;
  }
}

export class FilterManager {
  readonly #filters = new Map<string, Filter>();
  readonly #events: HeadEvents;
  #stopHeads: (() => void) | null = null;
  #stopPending: (() => void) | null = null;
  readonly #sweep: NodeJS.Timeout;

  constructor(private readonly ctx: RpcContext) {
    this.#events = new HeadEvents(ctx);
    this.#sweep = setInterval(() => this.sweep(), SWEEP_MS);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#filters.size;
  }

  /** Removes filters idle longer than the timeout (also run every 30 s). */
  sweep(now = Date.now()): void {
    for (const [id, f] of this.#filters)
      if (now - f.lastPoll > this.ctx.limits.filterTimeoutMs) this.#remove(id);
  }

  #install(kind: FilterKind, query?: LogQuery): string {
    this.sweep();
    if (this.#filters.size >= this.ctx.limits.maxFilters)
      throw RpcError.exact(RpcCode.SERVER_ERROR, `too many filters (limit ${this.ctx.limits.maxFilters})`);
    const id = newId();
    this.#filters.set(id, {
      kind,
      ...(query === undefined ? {} : { query }),
      lastPoll: Date.now(),
      items: [],
    });
    if (kind === "pending")
      this.#stopPending ??= this.ctx.pool!.onPending((tx) => this.#add("pending", hex(tx.hash)));
    else this.#stopHeads ??= this.#events.listen((c) => this.#onHead(c));
    return id;
  }

  #remove(id: string): boolean {
    const ok = this.#filters.delete(id);
    const any = (k: FilterKind) => [...this.#filters.values()].some((f) => f.kind === k);
    if (!any("pending")) {
      this.#stopPending?.();
      this.#stopPending = null;
    }
    if (!any("block") && !any("logs")) {
      this.#stopHeads?.();
      this.#stopHeads = null;
    }
    return ok;
  }

  #push(f: Filter, items: readonly unknown[]): void {
    f.items.push(...items);
    const over = f.items.length - this.ctx.limits.filterBuffer;
    if (over > 0) f.items.splice(0, over);
  }

  #add(kind: FilterKind, item: unknown): void {
    for (const f of this.#filters.values()) if (f.kind === kind) this.#push(f, [item]);
  }

  #onHead(c: HeadChange): void {
    for (const f of this.#filters.values()) {
      if (f.kind === "block")
        this.#push(
          f,
          c.added.map((b) => hex(b.hash)),
        );
      else if (f.kind === "logs" && f.query !== undefined) {
        const q = f.query;
        const from = followBound(this.ctx, q.fromBlock);
        const to = followBound(this.ctx, q.toBlock);
        if (from === null || to === null) continue;
        this.#push(f, headChangeLogs(this.ctx, c, q, from, to));
      }
    }
  }

  #get(p: readonly unknown[]): [string, Filter] {
    const id = p[0];
    const f = typeof id === "string" ? this.#filters.get(id.toLowerCase()) : undefined;
    if (typeof id !== "string" || f === undefined)
      throw RpcError.exact(RpcCode.SERVER_ERROR, "filter not found");
    return [id.toLowerCase(), f];
  }

  methods(): [string, RpcHandler][] {
    return [
      [
        "eth_newFilter",
        (p) => {
          maxArgs(p, 1);
          const q = parseLogQuery(0, p[0]);
          if (q.blockHash !== undefined)
            throw RpcError.exact(
              RpcCode.INVALID_PARAMS,
              "invalid argument 0: blockHash is not allowed in eth_newFilter",
            );
          return this.#install("logs", q);
        },
      ],
      ["eth_newBlockFilter", () => this.#install("block")],
      [
        "eth_newPendingTransactionFilter",
        () => {
          if (this.ctx.pool === undefined) throw methodNotAvailable("eth_newPendingTransactionFilter");
          return this.#install("pending");
        },
      ],
      [
        "eth_getFilterChanges",
        (p) => {
          const [, f] = this.#get(p);
          f.lastPoll = Date.now();
          return f.items.splice(0);
        },
      ],
      [
        "eth_getFilterLogs",
        (p) => {
          const [, f] = this.#get(p);
          if (f.kind !== "logs" || f.query === undefined)
            throw RpcError.exact(RpcCode.SERVER_ERROR, "filter not found");
          f.lastPoll = Date.now();
          return queryLogs(this.ctx, f.query);
        },
      ],
      [
        "eth_uninstallFilter",
        (p) => {
          const id = p[0];
          return typeof id === "string" && this.#remove(id.toLowerCase());
        },
      ],
    ];
  }

  close(): void {
    clearInterval(this.#sweep);
    for (const id of [...this.#filters.keys()]) this.#remove(id);
    this.#events.close();
  }
}
