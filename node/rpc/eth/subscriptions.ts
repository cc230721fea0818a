/**
 * WebSocket subscriptions (eth_subscribe / eth_unsubscribe): `newHeads` (each block that joins the
 * canonical chain), `logs` (with a filter; logs of blocks a reorg removed come first with `removed: true`)
 * and `newPendingTransactions` (hashes, or full transactions with `true`; needs the txpool seam, -32601
 * until it is wired). Over HTTP, eth_subscribe answers geth's "notifications not supported". At most
 * `limits.maxSubscriptionsPerConnection` per connection; a connection that cannot take a notification
 * (closed, or dropped by the server for backpressure) loses all its subscriptions.
 */
import type { HeadChange } from "../../chain/chain.ts";
import { bytesToHex as hex } from "../../core/hex.ts";
import type { RpcCall, RpcHandler, RpcSession } from "../jsonrpc.ts";
import { RpcCode, RpcError } from "../jsonrpc.ts";
import type { PendingTx, RpcContext } from "./context.ts";
import { methodNotAvailable, newId } from "./filters.ts";
import { headerJson, txJson } from "./format.ts";
import { HeadEvents } from "./headEvents.ts";
import { headChangeLogs, type LogCriteria, parseLogQuery } from "./logs.ts";

type SubKind = "newHeads" | "logs" | "newPendingTransactions";

interface Sub {
  readonly id: string;
  readonly kind: SubKind;
  readonly session: RpcSession;
  readonly criteria?: LogCriteria;
  readonly fullTx?: boolean;
}

export class Subscriptions {
  readonly #subs = new Map<string, Sub>();
  readonly #bySession = new Map<number, Set<string>>();
  readonly #events: HeadEvents;
  #stopHeads: (() => void) | null = null;
  #stopPending: (() => void) | null = null;

  constructor(private readonly ctx: RpcContext) {
    this.#events = new HeadEvents(ctx);
  }

  get size(): number {
    return this.#subs.size;
  }

  #notify(s: Sub, result: unknown): void {
    const text = JSON.stringify({
      jsonrpc: "2.0",
      method: "eth_subscription",
      params: { subscription: s.id, result },
    });
    if (!s.session.send(text)) this.#dropSession(s.session.id);
  }

  #dropSession(sessionId: number): void {
    for (const id of this.#bySession.get(sessionId) ?? []) this.#remove(id);
    this.#bySession.delete(sessionId);
  }

  #remove(id: string): boolean {
    const s = this.#subs.get(id);
    if (s === undefined) return false;
    this.#subs.delete(id);
    this.#bySession.get(s.session.id)?.delete(id);
    const any = (k: SubKind) => [...this.#subs.values()].some((x) => x.kind === k);
    if (!any("newHeads") && !any("logs")) {
      this.#stopHeads?.();
      this.#stopHeads = null;
    }
    if (!any("newPendingTransactions")) {
      this.#stopPending?.();
      this.#stopPending = null;
    }
    return true;
  }

  #onHead(c: HeadChange): void {
    let heads: unknown[] | undefined;
    for (const s of [...this.#subs.values()]) {
      if (!this.#subs.has(s.id)) continue;
      if (s.kind === "newHeads") {
        heads ??= c.added.map((b) => headerJson(b.hash, b.header));
        for (const h of heads) {
          if (!this.#subs.has(s.id)) break;
          this.#notify(s, h);
        }
      } else if (s.kind === "logs" && s.criteria !== undefined) {
        for (const l of headChangeLogs(this.ctx, c, s.criteria)) {
          if (!this.#subs.has(s.id)) break;
          this.#notify(s, l);
        }
      }
    }
  }

  #onPending(tx: PendingTx): void {
    const subs = [...this.#subs.values()].filter((s) => s.kind === "newPendingTransactions");
    for (const s of subs.filter((x) => !x.fullTx)) this.#notify(s, hex(tx.hash));
    const full = subs.filter((x) => x.fullTx);
    if (full.length === 0) return;
    this.ctx.txs.decode([tx.raw]).then(
      (items) => {
        const t = items[0];
        if (t === undefined) return;
        const json = txJson(t, null);
        for (const s of full) if (this.#subs.has(s.id)) this.#notify(s, json);
      },
      () => {},
    );
  }

  #subscribe(p: readonly unknown[], call: RpcCall): string {
    const session = call.session;
    if (session === undefined) throw RpcError.exact(RpcCode.METHOD_NOT_FOUND, "notifications not supported");
    const kind = p[0];
    const mine = this.#bySession.get(session.id);
    if (mine !== undefined && mine.size >= this.ctx.limits.maxSubscriptionsPerConnection)
      throw RpcError.exact(RpcCode.SERVER_ERROR, "too many subscriptions on this connection");
    let sub: Omit<Sub, "id" | "session">;
    if (kind === "newHeads") sub = { kind };
    else if (kind === "logs") {
      const q = parseLogQuery(1, p[1] ?? {});
      sub = { kind, criteria: { addresses: q.addresses, topics: q.topics } };
    } else if (kind === "newPendingTransactions") {
      if (this.ctx.pool === undefined) throw methodNotAvailable("eth_subscribe(newPendingTransactions)");
      sub = { kind, fullTx: p[1] === true };
    } else
      throw RpcError.exact(
        RpcCode.METHOD_NOT_FOUND,
        typeof kind === "string"
          ? `no "${kind}" subscription in eth namespace`
          : "expected subscription name as first argument",
      );
    const id = newId();
    this.#subs.set(id, { ...sub, id, session });
    if (mine === undefined) {
      this.#bySession.set(session.id, new Set([id]));
      session.onClose(() => this.#dropSession(session.id));
    } else mine.add(id);
    if (sub.kind === "newPendingTransactions")
      this.#stopPending ??= this.ctx.pool!.onPending((t) => this.#onPending(t));
    else this.#stopHeads ??= this.#events.listen((c) => this.#onHead(c));
    return id;
  }

  methods(): [string, RpcHandler][] {
    return [
      ["eth_subscribe", (p, call) => this.#subscribe(p, call)],
      [
        "eth_unsubscribe",
        (p, call) => {
          if (call.session === undefined)
            throw RpcError.exact(RpcCode.METHOD_NOT_FOUND, "notifications not supported");
          const id = typeof p[0] === "string" ? p[0].toLowerCase() : "";
          const s = this.#subs.get(id);
          if (s === undefined || s.session.id !== call.session.id) return false;
          return this.#remove(id);
        },
      ],
    ];
  }

  close(): void {
    for (const id of [...this.#subs.keys()]) this.#remove(id);
    this.#events.close();
  }
}
